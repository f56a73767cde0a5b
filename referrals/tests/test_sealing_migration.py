"""The migrations that seal the free texts stored readable before (referrals and consents)."""

from __future__ import annotations

import importlib
import json
from typing import Any
from uuid import uuid4

from clients.api import erase_client
from clients.free_text import PREFIX
from clients.tables import Consent
from conftest import run
from referrals import gdpr
from referrals.tables import Notification, Referral, ReferralMessage, ReferralTransition
from referrals.tests.exchange_support import Exchange, new_referral

REFERRALS_MIGRATION = importlib.import_module(
    "referrals.piccolo_migrations.referrals_2026_12_03t08_00_00_000000"
)
CLIENTS_MIGRATION = importlib.import_module(
    "clients.piccolo_migrations.clients_2026_12_03t08_00_01_000000"
)
TEXTS = {
    "need_text": "Deutschkurs B1 am Vormittag",
    "accessibility_needs": "Aufzug nötig",
    "preferred_times": "vormittags",
    "notes": "Kinder in der Kita bis 13 Uhr",
    "appointment_text": "Mo 10 Uhr, Raum 4",
}


def _stored_readable(ex: Exchange) -> Any:
    """A referral as an older version stored it: every free text readable."""
    referral_id = new_referral(ex)
    run(Referral.update({Referral._meta.get_column_by_name(k): v for k, v in TEXTS.items()})
        .where(Referral.id == referral_id))
    run(ReferralTransition(id=uuid4(), referral=referral_id, from_state="draft",
                           to_state="sent", note="Bitte schnell").save())
    run(ReferralMessage(id=uuid4(), referral=referral_id, author_user=ex.case_manager.id,
                        author_organization=ex.sender_org, body="Sie spricht Türkisch").save())
    run(Notification(id=uuid4(), user=ex.case_manager.id, referral=referral_id,
                     kind="referral_accepted", dedupe_key=str(uuid4()),
                     params={"service": "Deutschkurs B1", "appointment": "Mo 10 Uhr"}).save())
    run(Consent.update({Consent.evidence_note: "Zeugin: Frau Kaya"})
        .where(Consent.id == ex.consent_id))
    return referral_id


def _migrate() -> None:
    run(REFERRALS_MIGRATION.seal_existing())
    run(CLIENTS_MIGRATION.seal_existing())


def _raw(referral_id: Any) -> list[str]:
    row = run(Referral.select().where(Referral.id == referral_id).first())
    note = run(ReferralTransition.select(ReferralTransition.note)
               .where(ReferralTransition.referral == referral_id).first())
    body = run(ReferralMessage.select(ReferralMessage.body)
               .where(ReferralMessage.referral == referral_id).first())
    params = run(Notification.select(Notification.params)
                 .where(Notification.referral == referral_id).first())
    assert row and note and body and params
    consent = run(Consent.select(Consent.evidence_note).where(Consent.client == row["client"])
                  .first())
    assert consent
    raw = params["params"]
    loaded = raw if isinstance(raw, dict) else json.loads(raw)
    return [row[k] for k in TEXTS] + [
        note["note"], body["body"], loaded["appointment"], consent["evidence_note"]
    ]


def test_migration_seals_texts_stored_readable_and_they_read_as_before(exchange):
    referral_id = _stored_readable(exchange)

    _migrate()

    assert all(value.startswith(PREFIX) for value in _raw(referral_id))
    export = run(gdpr.export_client(exchange.client_id, exchange.sender, "127.0.0.1"))
    exported = export["referrals"][0]
    assert exported["need_text"] == TEXTS["need_text"]
    assert exported["appointment"] == TEXTS["appointment_text"]
    assert [h["note"] for h in exported["history"]] == ["Bitte schnell"]
    assert [m["body"] for m in exported["messages"]] == ["Sie spricht Türkisch"]
    assert export["consents"][0]["evidence_note"] == "Zeugin: Frau Kaya"


def test_migration_run_twice_changes_nothing_more(exchange):
    referral_id = _stored_readable(exchange)
    _migrate()
    first = _raw(referral_id)

    _migrate()

    assert _raw(referral_id) == first


def test_migration_clears_the_texts_of_clients_already_erased(exchange):
    referral_id = _stored_readable(exchange)
    run(erase_client(exchange.client_id, exchange.sender, "127.0.0.1"))
    # As an older version left it: erased, but the referral's texts still readable.
    run(Referral.update({Referral.need_text: TEXTS["need_text"]})
        .where(Referral.id == referral_id))

    _migrate()

    row = run(Referral.select(Referral.need_text).where(Referral.id == referral_id).first())
    assert row == {"need_text": ""}
