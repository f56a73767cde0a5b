"""Erasure leaves nothing readable: every free text about a client is sealed with its key, and
on SQLite the old pages are overwritten and the write-ahead log emptied after the erasure."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from clients.api import (
    ERASED_TEXT,
    ClientErased,
    ConsentInput,
    create_client,
    erase_client,
    record_consent,
    seal_text,
)
from conftest import all_tables, run
from core.db import checkpoint_wal, engine, is_sqlite
from core.time import berlin_today
from outbox.dispatcher import drain
from outbox.tables import OutboxEvent
from referrals import drafts, views
from referrals.messages import MessageIn, list_messages, post_message
from referrals.tables import Notification
from referrals.tests.exchange_support import PERSON, SHARED, Exchange, referral_input
from referrals.transitions import transition
from settings import get_settings


def _markers() -> dict[str, str]:
    tag = uuid4().hex[:12].upper()
    return {
        field: f"MARK{tag}{field.upper().replace('_', '')}"
        for field in (
            "pseudonym", "evidence_note", "need_text", "accessibility_needs", "preferred_times",
            "notes", "appointment_text", "transition_note", "message",
        )
    }


async def _raw_values() -> str:
    """Every stored value of every table, as the database hands it out (both engines)."""
    parts: list[str] = []
    for table in all_tables():
        name = table._meta.tablename
        if is_sqlite():
            rows = await engine().run_ddl(f'SELECT * FROM "{name}"')
            parts += [repr(list(row.values())) for row in rows]
        else:
            rows = await engine().run_ddl(f'SELECT t::text AS v FROM "{name}" AS t')
            parts += [str(row["v"]) for row in rows]
    return "\n".join(parts)


def _database_path() -> Path:
    return Path(engine().connection_kwargs["database"])  # type: ignore[attr-defined]


def _database_files() -> list[bytes]:
    path = _database_path()
    files = [path, path.with_name(path.name + "-wal")]
    return [f.read_bytes() for f in files if f.exists()]


def _found(markers: dict[str, str]) -> set[str]:
    text = run(_raw_values())
    found = {field for field, marker in markers.items() if marker in text}
    if is_sqlite():
        for content in _database_files():
            found |= {f for f, m in markers.items() if m.encode() in content}
    return found


def _mail_text(message: Any) -> str:
    return str(message.get_body().get_content())


def _marked_referral(
    make_org: Any, make_user: Any, make_service: Any, markers: dict[str, str]
) -> tuple[Exchange, UUID]:
    """A client with a marker in every free text: consent, referral, transition notes, a
    message and the notification of an acceptance."""
    sender_org, provider_org = make_org("Caritas Mülheim"), make_org("VHS Mülheim")
    case_manager = make_user("case_manager", sender_org)
    provider = make_user("provider_staff", provider_org)
    service_id = make_service(provider_org, name="Deutschkurs B1")
    ex = Exchange(sender_org, provider_org, case_manager, provider, service_id, uuid4(), uuid4())
    client = run(create_client(ex.sender, PERSON, "127.0.0.1", pseudonym=markers["pseudonym"]))
    consent = run(record_consent(client.id, ConsentInput(
        recipient_org_ids=[provider_org], purpose="referral", data_categories=SHARED,
        valid_from=berlin_today(), valid_until=berlin_today(), evidence="verbal_witnessed",
        evidence_note=markers["evidence_note"],
    ), ex.sender, "127.0.0.1"))
    ex.client_id, ex.consent_id = client.id, consent.id
    referral_id = run(drafts.create_draft(referral_input(
        ex, need_text=markers["need_text"], accessibility_needs=markers["accessibility_needs"],
        preferred_times=markers["preferred_times"], notes=markers["notes"],
    ), ex.sender))
    run(transition(referral_id, "sent", ex.sender, note=markers["transition_note"]))
    run(post_message(referral_id, MessageIn(body=markers["message"]), ex.sender))
    run(transition(referral_id, "accepted", ex.receiver,
                   appointment_text=markers["appointment_text"]))
    run(drain())
    return ex, referral_id


def test_free_texts_are_stored_sealed_and_read_back(make_org, make_user, make_service):
    markers = _markers()
    ex, referral_id = _marked_referral(make_org, make_user, make_service, markers)

    # Only the pseudonym is stored as typed (it must hold no personal data).
    assert _found(markers) == {"pseudonym"}
    seen = run(views.detail(referral_id, ex.sender, "127.0.0.1"))
    assert (seen.need_text, seen.notes, seen.appointment_text) == (
        markers["need_text"], markers["notes"], markers["appointment_text"]
    )
    assert markers["transition_note"] in [h.note for h in seen.history]
    messages = run(list_messages(referral_id, ex.receiver, "127.0.0.1"))
    assert [m.body for m in messages] == [markers["message"]]
    sent = run(Notification.select(Notification.params).where(
        Notification.user == ex.case_manager.id, Notification.kind == "referral_accepted"
    ).first())
    assert sent is not None and markers["appointment_text"] not in json.dumps(sent["params"])


@contextmanager
def _another_connection() -> Iterator[None]:
    """An idle connection of another process (a web worker, the dispatcher): while one is
    open, closing the last of ours no longer folds the write-ahead log into the file."""
    if not is_sqlite():
        yield
        return
    other = sqlite3.connect(_database_path())
    try:
        other.execute("SELECT count(*) FROM client").fetchall()
        yield
    finally:
        other.close()


def test_erasure_leaves_no_marker_in_tables_database_file_or_log(
    make_org, make_user, make_service
):
    markers = _markers()
    with _another_connection():
        ex, _referral_id = _marked_referral(make_org, make_user, make_service, markers)

        run(erase_client(ex.client_id, ex.sender, "127.0.0.1"))
        assert _found(markers) == set()
        run(drain())
        assert _found(markers) == set()


def test_erasure_empties_the_sqlite_write_ahead_log(make_org, make_user, make_service):
    markers = _markers()
    with _another_connection():
        ex, _referral_id = _marked_referral(make_org, make_user, make_service, markers)

        run(erase_client(ex.client_id, ex.sender, "127.0.0.1"))

        if is_sqlite():
            wal = _database_path().with_name(_database_path().name + "-wal")
            assert not wal.exists() or wal.stat().st_size == 0


def test_sealed_texts_read_as_erased_once_the_key_is_gone(make_org, make_user, make_service):
    markers = _markers()
    ex, referral_id = _marked_referral(make_org, make_user, make_service, markers)

    # Before the referral exchange has cleared anything: the texts are there, but unreadable.
    run(erase_client(ex.client_id, ex.sender, "127.0.0.1"))
    seen = run(views.detail(referral_id, ex.sender, "127.0.0.1"))

    assert (seen.need_text, seen.notes, seen.appointment_text) == (ERASED_TEXT,) * 3
    assert ERASED_TEXT in [h.note for h in seen.history]


def test_no_new_free_text_is_taken_for_an_erased_client(make_org, make_user, make_service):
    markers = _markers()
    ex, _referral_id = _marked_referral(make_org, make_user, make_service, markers)
    run(erase_client(ex.client_id, ex.sender, "127.0.0.1"))

    with pytest.raises(ClientErased):
        run(seal_text(ex.client_id, "message_body", "Neue Nachricht"))


def test_sqlite_overwrites_what_it_deletes(db):
    if not is_sqlite():
        pytest.skip("a SQLite setting")
    # Debian builds SQLite with this default; other builds (python.org, macOS) do not.
    assert run(engine().run_ddl("PRAGMA secure_delete")) == [{"secure_delete": 1}]
    marker = f"MARK{uuid4().hex.upper()}DELETED"
    with _another_connection():
        run(Notification(id=uuid4(), user=uuid4(), kind="message", dedupe_key=marker).save())
        run(Notification.delete().where(Notification.dedupe_key == marker))
        assert run(checkpoint_wal())

    assert not any(marker.encode() in content for content in _database_files())


def test_the_referral_page_shows_erased_texts_as_erased_in_german(
    client, login, make_org, make_user, make_service
):
    ex, referral_id = _marked_referral(make_org, make_user, make_service, _markers())
    run(erase_client(ex.client_id, ex.sender, "127.0.0.1"))
    login(client, ex.case_manager)

    page = client.get(f"/referrals/{referral_id}", headers={"Accept-Language": "de"})

    assert page.status_code == 200
    assert "[gelöscht]" in page.text and ERASED_TEXT not in page.text


def test_a_notification_shows_an_erased_appointment_as_erased(
    api_client, make_org, make_user, make_service
):
    markers = _markers()
    ex, _referral_id = _marked_referral(make_org, make_user, make_service, markers)
    api = api_client(ex.case_manager)
    before = api.get("/api/notifications", headers={"Accept-Language": "de"}).json()
    run(erase_client(ex.client_id, ex.sender, "127.0.0.1"))

    after = api.get("/api/notifications", headers={"Accept-Language": "de"}).json()

    assert f"Termin: {markers['appointment_text']}" in [n["body"] for n in before["items"]]
    assert "Termin: [gelöscht]" in [n["body"] for n in after["items"]]


def test_events_delivered_after_the_erasure_are_delivered_without_the_texts(
    make_org, make_user, make_service
):
    markers = _markers()
    ex, _referral_id = _marked_referral(make_org, make_user, make_service, markers)
    second = run(drafts.create_draft(referral_input(ex), ex.sender))
    run(transition(second, "sent", ex.sender))
    run(transition(second, "accepted", ex.receiver, note=markers["transition_note"],
                   appointment_text=markers["appointment_text"]))
    run(erase_client(ex.client_id, ex.sender, "127.0.0.1"))

    run(drain())

    failing = run(OutboxEvent.select(OutboxEvent.consumer).where(OutboxEvent.attempts > 0))
    assert failing == []
    assert _found(markers) == set()
    mails = [
        _mail_text(message_from_bytes(path.read_bytes(), policy=default))
        for path in (get_settings().data_dir / "mail").glob("*.eml")
    ]
    assert any("Termin: [gelöscht]" in mail for mail in mails)
    assert not any(ERASED_TEXT in mail for mail in mails)
