"""Referral state changes reach the audit log through the outbox, exactly once per transition."""

from __future__ import annotations

from uuid import UUID

from accounts import audit
from core.db import atomic
from outbox.registry import OutboxMessage, consumer

TRANSITION_TOPIC = "referral.transition"


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


@consumer("audit-referral-transitions", topics=[TRANSITION_TOPIC], batch_size=100)
async def audit_referral_transitions(events: list[OutboxMessage]) -> None:
    for event in events:
        payload = event.payload
        referral_id = _uuid(payload.get("referral_id"))
        transition_id = str(payload.get("transition_id") or "")
        if referral_id is None or not transition_id:
            continue
        side = payload.get("side")
        acting = {
            "sender": payload.get("sender_organization"),
            "receiver": payload.get("recipient_organization"),
        }.get(str(side))
        async with atomic():
            # A redelivered event must not append a second entry.
            if await audit.recorded_already(
                "referral.transition", referral_id, "transition_id", transition_id
            ):
                continue
            await audit.record(
                "referral.transition",
                "referral",
                referral_id,
                None,
                _uuid(payload.get("sender_organization")),
                {
                    "transition_id": transition_id,
                    "from": payload.get("from"),
                    "to": payload.get("to"),
                    "side": side,
                    "reason": payload.get("reason") or "",
                    "changed_at": payload.get("at"),
                },
                "",
                actor_organization=_uuid(acting),
                actor_user=_uuid(payload.get("actor_user")),
            )
