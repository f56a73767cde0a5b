"""The one place where a referral's state changes.

Every move checks the actor's side (role and organisation), the legality of the move and its
reason code, takes or gives back a place (through the directory, which counts them), records a
ReferralTransition and publishes an outbox event, all in one transaction: a refused move
changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
)

from accounts.identity import CurrentUser
from core.db import ConcurrentChange, atomic, retry_conflicts
from directory import api as directory
from outbox.publish import publish
from referrals import appointments, deadlines, disclosure, sealed, waitlist
from referrals.states import (
    OPEN,
    Reason,
    Side,
    State,
    StateRuleError,
    check_move,
    parse_state,
)
from referrals.tables import Referral, ReferralTransition

SENDER_ROLE = "case_manager"
RECEIVER_ROLE = "provider_staff"


class TransitionConflict(HTTPException):
    """The move is not possible in the referral's current state (or no place is free)."""

    status_code = 409


class ChangedMeanwhile(TransitionConflict, ConcurrentChange):
    """Another transaction moved the referral between our read and our write: worth a retry."""


class Moved(msgspec.Struct, frozen=True):
    """What a move did: callers that show the referral read it as their reader may see it."""

    referral_id: UUID
    state: str
    version: int
    # The mover's sides, for the moves they may make next (see `referrals.answers`).
    sides: frozenset[Side] = frozenset()


def _refuse(error: StateRuleError) -> HTTPException:
    extra = {"code": error.code}
    if error.code in {"illegal", "terminal"}:
        return TransitionConflict(detail=error.message, extra=extra)
    if error.code == "wrong_side":
        return PermissionDeniedException(detail=error.message, extra=extra)
    return ClientException(detail=error.message, extra=extra)


def actor_sides(actor: CurrentUser, referral: dict[str, Any]) -> set[Side]:
    """The sides of this referral the actor may act for."""
    sides: set[Side] = set()
    if referral["sender_organization"] in actor.org_ids_with(SENDER_ROLE):
        sides.add(Side.SENDER)
    # A provider does not see drafts at all: they have not been sent to it.
    if referral["state"] != State.DRAFT.value and referral[
        "recipient_organization"
    ] in actor.org_ids_with(RECEIVER_ROLE):
        sides.add(Side.RECEIVER)
    return sides


def can_see(actor: CurrentUser, referral: dict[str, Any]) -> bool:
    return bool(actor_sides(actor, referral))


async def _load(referral_id: UUID) -> dict[str, Any] | None:
    return await Referral.select().where(Referral.id == referral_id).first()


async def _sealed_appointment(row: dict[str, Any], text: str) -> str:
    texts = await sealed.seal_referral_texts(row["client"], {"appointment_text": text})
    return str(texts["appointment_text"])


async def _require_covering_consent(row: dict[str, Any]) -> UUID:
    consent_id = await disclosure.consent_covers(row)
    if consent_id is None:
        raise TransitionConflict(
            detail=(
                "No active consent of the client covers sending these data categories ("
                + ", ".join(disclosure.required_categories(row))
                + ") to this provider for a referral. Record or extend the consent first."
            ),
            extra={"code": "consent_missing"},
        )
    return consent_id


async def _require_active_service(service_id: UUID) -> None:
    if not await directory.offer_takes_referrals(service_id):
        raise TransitionConflict(
            detail="This offer no longer takes referrals; choose another offer.",
            extra={"code": "service_inactive"},
        )


async def _require_open_waitlist(service_id: UUID) -> None:
    """A closed waitlist takes no one new; those already on it keep their turn (a freed place
    still goes to the head of the list), so closing it is not a reason to drop anyone."""
    offer = await directory.offer_for_referral(service_id)
    if offer is None or not offer.waitlist_open:
        raise TransitionConflict(
            detail=(
                "The waitlist of this offer is closed. Accept the referral if a place is free, "
                "decline it, or open the waitlist first."
            ),
            extra={"code": "waitlist_closed"},
        )


async def _book(slot_id: UUID, row: dict[str, Any]) -> str:
    """Book the chosen slot of the referral's own offer for the sending case manager;
    refusals say what to do."""
    try:
        return await appointments.book(slot_id, row["service"], row["id"], row["sender_user"])
    except NotFoundException:
        raise ClientException(
            detail="This appointment slot does not exist; choose one of the offer's slots.",
            extra={"code": "slot_unknown"},
        ) from None
    except appointments.SlotOfAnotherOfferError as error:
        raise ClientException(
            detail=error.detail, extra={"code": "slot_of_another_offer"}
        ) from None
    except HTTPException as error:
        raise TransitionConflict(detail=error.detail, extra={"code": "slot_unavailable"}) from None


async def _give_back_place(row: dict[str, Any], now: datetime) -> None:
    """A closing referral frees its place: offer it to the waitlist, or free it."""
    service_id = row["service"]
    if row["state"] == State.WAITLISTED.value:
        # A held place offer that is not taken passes on within the same round.
        offer_round = await waitlist.close_offer(row["id"], "released", now)
        await waitlist.offer_freed_place(service_id, now, offer_round)
    else:
        await waitlist.offer_freed_place(service_id, now)


async def _apply(
    row: dict[str, Any],
    target: State,
    sides: set[Side],
    *,
    actor_user: UUID | None,
    actor_organization: UUID | None,
    reason: str | None,
    note: str,
    now: datetime,
    appointment_slot_id: UUID | None = None,
    appointment_text: str = "",
    expected_wait: str = "",
) -> None:
    """Apply one move to a loaded referral row; must run inside `atomic()`."""
    source = parse_state(row["state"])
    try:
        _rule, side = check_move(source, target, sides, reason)
    except StateRuleError as error:
        raise _refuse(error) from None

    changes: dict[Any, Any] = {
        Referral.state: target.value,
        Referral.updated_at: now,
        Referral.version: Referral.version + 1,
    }
    if target is State.SENT:
        await _require_active_service(row["service"])
        changes[Referral.consent] = await _require_covering_consent(row)
        changes[Referral.sent_at] = now
        changes[Referral.answer_due] = deadlines.answer_due(now)
    if source is State.SENT and target is not State.CANCELLED:
        changes[Referral.answered_at] = now

    holds = bool(row["holds_place"])
    if target is State.ACCEPTED:
        if holds:
            await waitlist.close_offer(row["id"], "taken", now)
        else:
            taken = await directory.take_place(row["service"])
            if taken is directory.Take.FULL:
                raise TransitionConflict(
                    detail=(
                        "This offer has no free place left. Put the referral on the waitlist "
                        "or decline it with the reason no_capacity."
                    ),
                    extra={"code": "no_capacity"},
                )
            holds = taken is directory.Take.TAKEN
        changes[Referral.holds_place] = holds
        changes[Referral.place_offered_until] = None
        if appointment_slot_id is not None:
            booked = await _book(appointment_slot_id, row)
            changes[Referral.appointment_slot] = appointment_slot_id
            changes[Referral.appointment_text] = await _sealed_appointment(
                row, (appointment_text or booked)[:255]
            )
        elif appointment_text:
            changes[Referral.appointment_text] = await _sealed_appointment(
                row, appointment_text[:255]
            )
    elif target is State.WAITLISTED:
        await _require_open_waitlist(row["service"])
        changes[Referral.waitlisted_at] = now
        band = expected_wait or "unknown"
        if band not in waitlist.WAIT_BANDS:
            raise ClientException(
                detail=f"Unknown expected wait {band!r}; use one of: "
                + ", ".join(waitlist.WAIT_BANDS),
                extra={"code": "unknown_wait_band"},
            )
        changes[Referral.expected_wait] = band
    elif target in {State.DECLINED, State.COMPLETED, State.FAILED, State.CANCELLED}:
        changes[Referral.closed_at] = now
        changes[Referral.holds_place] = False
        changes[Referral.place_offered_until] = None
        if holds:
            await _give_back_place(row, now)
        if target is State.CANCELLED and row["appointment_slot"] is not None:
            await appointments.release(row["id"])

    # The version guard turns a concurrent change of the same referral into a refusal.
    updated = (
        await Referral.update(changes)
        .where((Referral.id == row["id"]) & (Referral.version == row["version"]))
        .returning(Referral.id)
    )
    if not updated:
        raise ChangedMeanwhile(
            detail="The referral was changed by someone else meanwhile; reload it and try again.",
            extra={"code": "changed_meanwhile"},
        )
    record = ReferralTransition(
        referral=row["id"],
        from_state=source.value,
        to_state=target.value,
        actor_user=actor_user,
        actor_organization=actor_organization,
        reason=reason or "",
        note=await sealed.seal_note(row["client"], note),
        at=now,
    )
    await ReferralTransition.insert(record)
    await publish(
        "referral.transition",
        {
            "event_key": f"transition:{record.id}",
            "transition_id": str(record.id),
            "referral_id": str(row["id"]),
            "service_id": str(row["service"]),
            "sender_organization": str(row["sender_organization"]),
            "recipient_organization": str(row["recipient_organization"]),
            "sender_user": str(row["sender_user"]),
            "from": source.value,
            "to": target.value,
            "side": side.value,
            "reason": reason or "",
            "actor_user": str(actor_user) if actor_user else None,
            "appointment_slot": str(appointment_slot_id) if appointment_slot_id else None,
            "had_appointment_slot": row["appointment_slot"] is not None,
            "at": now.isoformat(),
        },
    )


def _actor_org(actor: CurrentUser, row: dict[str, Any], sides: set[Side]) -> UUID | None:
    if Side.RECEIVER in sides and Side.SENDER not in sides:
        return UUID(str(row["recipient_organization"]))
    if Side.SENDER in sides:
        return UUID(str(row["sender_organization"]))
    return None


async def transition(
    referral_id: UUID,
    to: str,
    actor: CurrentUser,
    reason: str | None = None,
    note: str = "",
    appointment_slot_id: UUID | None = None,
    *,
    appointment_text: str = "",
    expected_wait: str = "",
    expected_version: int | None = None,
) -> Moved:
    """Move a referral to state `to` on behalf of `actor`; refused moves change nothing."""
    try:
        target = parse_state(to)
    except StateRuleError as error:
        raise _refuse(error) from None

    deadlines.prepare(datetime.now(UTC))

    async def attempt() -> Moved:
        async with atomic():
            row = await _load(referral_id)
            # A referral the actor may not see is reported as absent: its existence is not
            # disclosed.
            if row is None or not can_see(actor, row):
                raise NotFoundException(detail="No such referral.")
            if expected_version is not None and expected_version != row["version"]:
                raise TransitionConflict(
                    detail="The referral was changed meanwhile; reload it and try again.",
                    extra={"code": "changed_meanwhile"},
                )
            sides = actor_sides(actor, row)
            await _apply(
                row,
                target,
                sides,
                actor_user=actor.id,
                actor_organization=_actor_org(actor, row, sides),
                reason=reason or None,
                note=note,
                now=datetime.now(UTC),
                appointment_slot_id=appointment_slot_id,
                appointment_text=appointment_text,
                expected_wait=expected_wait,
            )
        return Moved(referral_id, target.value, int(row["version"]) + 1, frozenset(sides))

    # A concurrent move (e.g. a consent withdrawal cancelling it) is met by reading the referral
    # again: the move then either applies or is refused for the state it finds.
    return await retry_conflicts(attempt)


async def cancel_open_for_consent(
    consent_id: UUID, actor: CurrentUser | None, reason: str = Reason.CONSENT_WITHDRAWN.value
) -> list[UUID]:
    """Cancel every open referral sent under a consent; returns their ids.

    Called by the consent withdrawal (and erasure) inside its own transaction; the caller has
    checked the actor's right to withdraw. `actor` None records the system as actor.
    """
    if reason not in {r.value for r in (Reason.CONSENT_WITHDRAWN, Reason.CLIENT_ERASED)}:
        raise ValueError(f"not a consent cancellation reason: {reason!r}")
    cancelled: list[UUID] = []
    now = datetime.now(UTC)
    async with atomic():
        found = await Referral.select(Referral.id).where(
            (Referral.consent == consent_id) & Referral.state.is_in([s.value for s in OPEN])
        )
        for candidate in found:
            # Loaded one by one: giving back one's place may change the next (a waitlist offer).
            row = await _load(candidate["id"])
            if row is None or row["state"] not in {s.value for s in OPEN}:
                continue
            await _apply(
                row,
                State.CANCELLED,
                {Side.SYSTEM},
                actor_user=actor.id if actor else None,
                actor_organization=UUID(str(row["sender_organization"])),
                reason=reason,
                note="",
                now=now,
            )
            cancelled.append(UUID(str(row["id"])))
    return cancelled


async def expire_overdue(now: datetime | None = None) -> list[UUID]:
    """Cancel sent referrals whose answer deadline has passed; the sender is told."""
    now = now or datetime.now(UTC)
    expired: list[UUID] = []
    candidates = await Referral.select(Referral.id).where(
        (Referral.state == State.SENT.value) & (Referral.answer_due < deadlines.local_today(now))
    )
    for candidate in candidates:
        async with atomic():
            row = await _load(candidate["id"])
            if row is None or row["state"] != State.SENT.value:
                continue
            await _apply(
                row,
                State.CANCELLED,
                {Side.SYSTEM},
                actor_user=None,
                actor_organization=None,
                reason=Reason.ANSWER_EXPIRED.value,
                note="",
                now=now,
            )
            expired.append(UUID(str(row["id"])))
    return expired
