"""What the referral exchange does when a client's consent ends or the client is erased.

The clients domain publishes both events in the transaction that withdraws or erases; access to
personal data ends at once anyway, because the consent is decided at every read. Here the open
referrals are cancelled (recorded like any transition, with the reason `consent_withdrawn` or
`client_erased`), the recipients are told, and an erased client's free texts are cleared.
Delivered again, an event finds nothing open and changes nothing more.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from accounts.identity import CurrentUser, load_user
from clients import api as clients
from core.db import atomic, checkpoint_wal, retry_conflicts
from outbox.publish import publish
from referrals import outgoing
from referrals.states import OPEN, Reason
from referrals.tables import Referral, ReferralMessage, ReferralTransition
from referrals.transitions import cancel_open_for_consent, transition

log = logging.getLogger("lotse.referrals")
_OPEN = [state.value for state in OPEN]


async def _user(user_id: Any) -> CurrentUser | None:
    return await load_user(UUID(str(user_id))) if user_id else None


async def open_referrals(
    *, client_id: UUID | None = None, consent_id: UUID | None = None
) -> list[UUID]:
    """Open referrals of a client or under a consent: those its end will cancel."""
    query = Referral.select(Referral.id).where(Referral.state.is_in(_OPEN))
    if client_id is not None:
        query = query.where(Referral.client == client_id)
    if consent_id is not None:
        query = query.where(Referral.consent == consent_id)
    return [row["id"] for row in await query]


async def open_referrals_named(consent_id: UUID) -> list[dict[str, Any]]:
    """The open referrals under a consent with their offer and state, for the confirmation a
    person sees before withdrawing it."""
    return list(
        await Referral.select(
            Referral.id, Referral.state, Referral.service.name.as_alias("offer")
        )
        .where(Referral.state.is_in(_OPEN))
        .where(Referral.consent == consent_id)
        .order_by(Referral.created_at)
    )


async def on_consent_withdrawn(payload: dict[str, Any]) -> list[UUID]:
    """Cancel the open referrals sent under the consent, and tell its recipients."""
    consent_id = UUID(payload["consent_id"])
    reason = payload.get("reason") or Reason.CONSENT_WITHDRAWN.value
    actor = await _user(payload.get("actor_user_id"))

    async def cancel() -> list[UUID]:
        async with atomic():
            cancelled = await cancel_open_for_consent(consent_id, actor, reason)
            await publish(
                outgoing.CONSENT_WITHDRAWN,
                {
                    "consent_id": str(consent_id),
                    "recipient_org_ids": list(payload.get("recipient_org_ids", [])),
                    "referral_ids": [str(r) for r in cancelled],
                    "reason": reason,
                },
            )
        return cancelled

    # A provider answering one of these referrals at the same moment: read them again.
    return await retry_conflicts(cancel)


async def on_client_erased(payload: dict[str, Any]) -> list[UUID]:
    """Cancel what is still open (drafts, referrals without consent), clear the free texts."""
    client_id = UUID(payload["client_id"])
    erased_by = await _user(payload.get("actor_user_id"))
    cancelled: list[UUID] = []
    async with atomic():
        for referral_id in await open_referrals(client_id=client_id):
            row = await Referral.select(Referral.sender_user).where(
                Referral.id == referral_id
            ).first()
            # The retention job erases nobody's case with open referrals; should one have
            # appeared meanwhile, its own sender cancels it.
            actor = erased_by or (await _user(row["sender_user"]) if row else None)
            if actor is None:
                log.warning("referral %s of an erased client stays open: no actor", referral_id)
                continue
            await transition(referral_id, "cancelled", actor, reason=Reason.CLIENT_ERASED.value)
            cancelled.append(referral_id)
        await _clear_free_texts(client_id, datetime.now(UTC))
    await checkpoint_wal()
    return cancelled


async def _clear_free_texts(client_id: UUID, now: datetime) -> None:
    """States, dates, offers and coded fields stay for the statistics; free texts go. A text
    that was there reads as erased, so that nobody takes it for one never written (an
    acceptance mailed later must not say the appointment is still to be arranged)."""
    referral_ids = [
        r["id"] for r in await Referral.select(Referral.id).where(Referral.client == client_id)
    ]
    if not referral_ids:
        return
    for column in (
        Referral.need_text, Referral.notes, Referral.accessibility_needs,
        Referral.preferred_times, Referral.appointment_text,
    ):
        await Referral.update({column: clients.ERASED_TEXT, Referral.updated_at: now}).where(
            Referral.id.is_in(referral_ids), column != ""
        )
    await ReferralTransition.update({ReferralTransition.note: clients.ERASED_TEXT}).where(
        ReferralTransition.referral.is_in(referral_ids), ReferralTransition.note != ""
    )
    await ReferralMessage.update({ReferralMessage.body: clients.ERASED_TEXT}).where(
        ReferralMessage.referral.is_in(referral_ids), ReferralMessage.body != ""
    )


async def on_event(topic: str, payload: dict[str, Any]) -> None:
    if topic == clients.CONSENT_WITHDRAWN_TOPIC:
        await on_consent_withdrawn(payload)
    elif topic == clients.CLIENT_ERASED_TOPIC:
        await on_client_erased(payload)
