"""Answers to writes, built from what was just written instead of read back.

A transition answers lean: where the referral stands now and what may come next. Building the
full view (decrypted texts, personal data, history, a read in the audit log) cost about two
thirds of an accept; a client that wants it asks `GET /api/referrals/{id}`. A new draft
answers with its full view, made from the draft in hand (nothing to decrypt, no history yet),
its read logged in the transaction that writes it.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from accounts import audit
from accounts.identity import CurrentUser
from core.db import atomic
from referrals import drafts
from referrals.disclosure import Level
from referrals.states import FHIR_TASK_STATUS, Side, State
from referrals.tables import Referral
from referrals.transitions import Moved
from referrals.views import Named, ReferralOut, TransitionOption, options_for, possible_moves


class TransitionOut(msgspec.Struct):
    id: UUID
    state: str
    fhir_status: str
    # Send it back as `version` with the next move, to be told of changes made meanwhile.
    version: int
    allowed_transitions: list[TransitionOption]


async def after_move(moved: Moved) -> TransitionOut:
    options = options_for(moved.state, set(moved.sides))
    if any(o.to in {State.ACCEPTED.value, State.WAITLISTED.value} for o in options):
        # Only these depend on the offer's capacity now: one small read, after the commit.
        row = await Referral.select(Referral.service, Referral.holds_place).where(
            Referral.id == moved.referral_id).first()
        if row is not None:
            options = await possible_moves(row, options)
    return TransitionOut(
        id=moved.referral_id,
        state=moved.state,
        fhir_status=FHIR_TASK_STATUS[State(moved.state)],
        version=moved.version,
        allowed_transitions=options,
    )


async def create(data: drafts.ReferralInput, actor: CurrentUser, remote_addr: str) -> ReferralOut:
    """Create a draft and answer with the view its sender has of it (as `views.detail`)."""
    draft = await drafts.prepare_draft(data, actor)
    plain = draft.data
    out = ReferralOut(
        id=draft.id,
        state=State.DRAFT.value,
        fhir_status=FHIR_TASK_STATUS[State.DRAFT],
        version=1,
        side=Side.SENDER.value,
        disclosure=Level.OWNER.value,
        service=Named(draft.offer.id, draft.offer.name),
        sender_organization=Named(draft.sender_organization, draft.sender_organization_name),
        recipient_organization=Named(draft.offer.organization_id, draft.offer.organization_name),
        client_id=plain.client_id,
        client_pseudonym=draft.client_pseudonym,
        need_category=plain.need_category,
        urgency=plain.urgency,
        need_text=plain.need_text.strip(),
        languages=sorted(set(plain.languages)),
        interpreter_needed=plain.interpreter_needed,
        accessibility_needs=plain.accessibility_needs.strip(),
        preferred_times=plain.preferred_times.strip(),
        age_band=plain.age_band,
        district=plain.district.strip(),
        notes=plain.notes.strip(),
        shared_categories=draft.shared_categories,
        personal_data=None,
        created_at=draft.created_at,
        sent_at=None,
        answer_due=None,
        answered_at=None,
        closed_at=None,
        waitlist=None,
        appointment_text="",
        appointment_slot_id=None,
        # A draft's moves (send, cancel) do not depend on the offer's places.
        allowed_transitions=options_for(State.DRAFT.value, {Side.SENDER}),
        history=[],
    )
    async with atomic():
        await drafts.write_draft(draft, actor)
        await audit.record(
            "referral.read", "referral", draft.id, actor, draft.sender_organization,
            {"side": Side.SENDER.value, "disclosure": Level.OWNER.value,
             "client_id": plain.client_id},
            remote_addr, actor_organization=draft.sender_organization,
        )
    return out
