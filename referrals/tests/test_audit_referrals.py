"""Referral state changes reach the audit log through the outbox, once per transition."""

from __future__ import annotations

from typing import Any

from accounts import audit
from accounts.tables import AuditEntry
from conftest import run


def test_referral_transitions_are_audited_once_even_if_redelivered(exchange: Any) -> None:
    import accounts.consumers  # noqa: F401  (subscribes the audit consumer)
    from outbox.dispatcher import drain_sync
    from outbox.tables import OutboxEvent
    from referrals.tests.exchange_support import new_referral
    from referrals.transitions import transition

    referral_id = new_referral(exchange)
    run(transition(referral_id, "sent", exchange.sender))
    drain_sync()
    # Deliver the audit consumer's event a second time, as after a crash before acknowledging.
    run(
        OutboxEvent.update({OutboxEvent.delivered_at: None}).where(
            OutboxEvent.consumer == "audit-referral-transitions"
        )
    )
    drain_sync()
    entries = run(
        AuditEntry.select().where(
            (AuditEntry.action == "referral.transition") & (AuditEntry.subject_id == referral_id)
        )
    )
    assert len(entries) == 1
    assert entries[0]["actor_user"] == exchange.case_manager.id
    assert entries[0]["actor_organization"] == exchange.sender_org
    assert run(audit.verify_chain()).ok
