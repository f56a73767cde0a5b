"""One e-mail that cannot go out holds back no other: each event is retried on its own, over a
real SMTP server on loopback, and a line break in an offer name still gives a one-line subject."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

import referrals.consumers  # noqa: F401  (subscribes the consumers)
from cli import add_domain_commands, main
from conftest import run
from core.testing.servers import free_port
from outbox.dispatcher import drain_sync
from outbox.tables import OutboxEvent
from referrals import transitions
from referrals.tests.exchange_support import Exchange, new_referral
from settings import get_settings


class RefusingMailBox:
    """Accepts every mail except those whose subject names a refused word (a 554 answer)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refused_words: set[str] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        if any(word in str(parsed["Subject"]) for word in self.refused_words):
            return "554 Transaction failed: message refused"
        self.messages.append(parsed)
        return "250 OK"

    def subjects(self) -> list[str]:
        return sorted(str(m["Subject"]) for m in self.messages)


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[RefusingMailBox]:
    box = RefusingMailBox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    configured = replace(get_settings(), smtp_host="127.0.0.1", smtp_port=port)
    monkeypatch.setattr("core.mail.get_settings", lambda: configured)
    yield box
    controller.stop()


def _send(ex: Exchange, service_id: UUID) -> UUID:
    referral_id = new_referral(ex, service_id=service_id)
    run(transitions.transition(referral_id, "sent", ex.sender))
    return referral_id


def _worker_once() -> None:
    add_domain_commands()
    result = CliRunner().invoke(main, ["worker", "--once"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _mail_rows() -> list[dict[str, Any]]:
    return run(OutboxEvent.select().where(OutboxEvent.consumer == "referral-mail")
               .order_by(OutboxEvent.id))


def test_one_refused_mail_does_not_hold_back_the_others(
    exchange: Exchange, make_service: Any, mailbox: RefusingMailBox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Back-off in hours: no retry falls due while a slow test machine drains.
    monkeypatch.setattr("outbox.dispatcher.backoff", lambda attempts: timedelta(hours=attempts))
    a2 = make_service(exchange.provider_org, name="Deutschkurs A2")
    refused = make_service(exchange.provider_org, name="Abgelehnter Kurs")
    mailbox.refused_words = {"Abgelehnter Kurs"}
    # The refused one in the middle: the mails after it used to wait with it.
    for service_id in (exchange.service_id, refused, a2):
        _send(exchange, service_id)

    _worker_once()

    assert mailbox.subjects() == ["Lotse: Neue Vermittlung für Deutschkurs A2",
                                  "Lotse: Neue Vermittlung für Deutschkurs B1"]
    rows = _mail_rows()
    assert [row["delivered_at"] is not None for row in rows] == [True, False, True]
    failed = rows[1]
    assert failed["attempts"] == 1 and "554" in failed["last_error"]
    assert failed["available_at"] > datetime.now(UTC) + timedelta(minutes=30)
    assert rows[0]["attempts"] == rows[2]["attempts"] == 0

    # Its own back-off over and the mail server willing, the refused mail goes out; no other
    # mail is sent twice.
    mailbox.refused_words = set()
    run(OutboxEvent.update({OutboxEvent.available_at: datetime.now(UTC)})
        .where(OutboxEvent.id == failed["id"]))
    _worker_once()
    assert mailbox.subjects() == ["Lotse: Neue Vermittlung für Abgelehnter Kurs",
                                  "Lotse: Neue Vermittlung für Deutschkurs A2",
                                  "Lotse: Neue Vermittlung für Deutschkurs B1"]
    assert all(row["delivered_at"] is not None for row in _mail_rows())


def test_a_line_break_in_an_offer_name_still_gives_a_one_line_subject(
    exchange: Exchange, make_service: Any, mailbox: RefusingMailBox
) -> None:
    # Stored before names were checked at input.
    broken = make_service(exchange.provider_org, name="Deutschkurs\r\nBcc: alle@example.org")
    _send(exchange, broken)
    _send(exchange, exchange.service_id)
    drain_sync()
    assert mailbox.subjects() == [
        "Lotse: Neue Vermittlung für Deutschkurs B1",
        "Lotse: Neue Vermittlung für Deutschkurs Bcc: alle@example.org",
    ]
    assert all(m["Bcc"] is None for m in mailbox.messages)
    assert all(row["delivered_at"] is not None for row in _mail_rows())
