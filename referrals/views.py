"""Reading referrals: scoped lists for each side and the detail view with staged disclosure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar.exceptions import NotFoundException
from piccolo.custom_types import Combinable

from accounts import audit
from accounts.identity import CurrentUser
from accounts.roles import Role
from directory import api as directory
from referrals import disclosure, sealed, waitlist
from referrals.deadlines import is_expired
from referrals.disclosure import Level, json_list
from referrals.states import (
    FHIR_TASK_STATUS,
    OPEN,
    SYSTEM_CANCEL_REASONS,
    Side,
    State,
    allowed_targets,
    rule_for,
)
from referrals.tables import Referral, ReferralTransition
from referrals.transitions import actor_sides

INBOX_DEFAULT_STATES = (State.SENT, State.WAITLISTED, State.ACCEPTED, State.IN_PROGRESS)


class Named(msgspec.Struct):
    id: UUID
    name: str


class TransitionOption(msgspec.Struct):
    to: str
    reasons: list[str]
    reason_required: bool


class WaitlistInfo(msgspec.Struct):
    position: int
    length: int
    expected_wait: str
    place_offered_until: datetime | None


class HistoryEntry(msgspec.Struct):
    from_state: str
    to_state: str
    side: str
    reason: str
    note: str | None
    at: datetime


class ReferralSummary(msgspec.Struct):
    id: UUID
    state: str
    service: Named
    sender_organization: Named
    recipient_organization: Named
    client_pseudonym: str | None
    need_category: str
    urgency: str
    created_at: datetime
    sent_at: datetime | None
    answer_due: date | None
    overdue: bool
    waitlist: WaitlistInfo | None
    updated_at: datetime


class ReferralOut(msgspec.Struct):
    id: UUID
    state: str
    fhir_status: str
    version: int
    side: str
    disclosure: str
    service: Named
    sender_organization: Named
    recipient_organization: Named
    client_id: UUID | None
    client_pseudonym: str | None
    need_category: str
    urgency: str
    need_text: str | None
    languages: list[str] | None
    interpreter_needed: bool | None
    accessibility_needs: str | None
    preferred_times: str | None
    age_band: str | None
    district: str | None
    notes: str | None
    shared_categories: list[str]
    personal_data: dict[str, Any] | None
    created_at: datetime
    sent_at: datetime | None
    answer_due: date | None
    answered_at: datetime | None
    closed_at: datetime | None
    waitlist: WaitlistInfo | None
    appointment_text: str | None
    appointment_slot_id: UUID | None
    allowed_transitions: list[TransitionOption]
    history: list[HistoryEntry]


_SUMMARY_COLUMNS = (
    Referral.id,
    Referral.state,
    Referral.service,
    Referral.sender_organization,
    Referral.recipient_organization,
    Referral.need_category,
    Referral.urgency,
    Referral.created_at,
    Referral.sent_at,
    Referral.answer_due,
    Referral.updated_at,
    Referral.service.name,
    Referral.sender_organization.name,
    Referral.recipient_organization.name,
    Referral.client.pseudonym,
)


async def _waitlist_info(row: dict[str, Any]) -> WaitlistInfo | None:
    if row["state"] != State.WAITLISTED.value:
        return None
    found = await waitlist.position_of(row["id"], row["service"])
    if found is None:
        return None
    return WaitlistInfo(
        found.position, found.length, found.expected_wait, found.place_offered_until
    )


async def _summary(row: dict[str, Any], side: Side) -> ReferralSummary:
    return ReferralSummary(
        id=row["id"],
        state=row["state"],
        service=Named(row["service"], row["service.name"]),
        sender_organization=Named(row["sender_organization"], row["sender_organization.name"]),
        recipient_organization=Named(
            row["recipient_organization"], row["recipient_organization.name"]
        ),
        client_pseudonym=row["client.pseudonym"] if side is Side.SENDER else None,
        need_category=row["need_category"],
        urgency=row["urgency"],
        created_at=row["created_at"],
        sent_at=row["sent_at"],
        answer_due=row["answer_due"],
        overdue=bool(
            row["state"] == State.SENT.value
            and row["answer_due"]
            and is_expired(row["answer_due"])
        ),
        waitlist=await _waitlist_info(row),
        updated_at=row["updated_at"],
    )


async def list_sent(
    actor: CurrentUser,
    *,
    states: list[str],
    client_id: UUID | None,
    service_id: UUID | None,
    urgency: str | None,
    offset: int,
    limit: int,
) -> tuple[list[ReferralSummary], int]:
    """The referrals of the actor's organisations (as case manager), newest first."""
    orgs = list(actor.org_ids_with(Role.CASE_MANAGER))
    if not orgs:
        return [], 0
    where: Combinable = Referral.sender_organization.is_in(orgs)
    if states:
        where &= Referral.state.is_in(states)
    if client_id:
        where &= Referral.client == client_id
    if service_id:
        where &= Referral.service == service_id
    if urgency:
        where &= Referral.urgency == urgency
    total = await Referral.count().where(where)
    rows = (
        await Referral.select(*_SUMMARY_COLUMNS)
        .where(where)
        .order_by(Referral.created_at, ascending=False)
        .offset(offset)
        .limit(limit)
    )
    return [await _summary(row, Side.SENDER) for row in rows], total


async def list_inbox(
    actor: CurrentUser,
    *,
    states: list[str],
    service_id: UUID | None,
    urgency: str | None,
    offset: int,
    limit: int,
) -> tuple[list[ReferralSummary], int]:
    """Referrals addressed to the actor's organisations (as provider staff), due first."""
    orgs = list(actor.org_ids_with(Role.PROVIDER_STAFF))
    if not orgs:
        return [], 0
    wanted = [s for s in (states or [s.value for s in INBOX_DEFAULT_STATES]) if s != "draft"]
    where: Combinable = Referral.recipient_organization.is_in(orgs) & Referral.state.is_in(
        wanted or ["-"]
    )
    if service_id:
        where &= Referral.service == service_id
    if urgency:
        where &= Referral.urgency == urgency
    total = await Referral.count().where(where)
    rows = (
        await Referral.select(*_SUMMARY_COLUMNS)
        .where(where)
        .order_by(Referral.answer_due)
        .order_by(Referral.sent_at)
        .offset(offset)
        .limit(limit)
    )
    return [await _summary(row, Side.RECEIVER) for row in rows], total


def options_for(state: str, sides: set[Side]) -> list[TransitionOption]:
    options: list[TransitionOption] = []
    source = State(state)
    for side in sorted(sides):
        for target in allowed_targets(source, side):
            rule = rule_for(source, target)
            assert rule is not None
            if any(o.to == target.value for o in options):
                continue
            reasons = [r.value for r in rule.reasons if r not in SYSTEM_CANCEL_REASONS]
            options.append(TransitionOption(target.value, reasons, rule.reason_required))
    return options


async def possible_moves(row: dict[str, Any],
                         options: list[TransitionOption]) -> list[TransitionOption]:
    """Leave out what the offer cannot take now: accepting into a full offer, waitlisting
    where the waitlist is closed (the provider changes capacity first)."""
    if not any(o.to in {State.ACCEPTED.value, State.WAITLISTED.value} for o in options):
        return options
    offer = await directory.offer_for_referral(row["service"])
    if offer is None:
        return options
    closed = set()
    if offer.full and not row["holds_place"]:
        closed.add(State.ACCEPTED.value)
    if not offer.waitlist_open:
        closed.add(State.WAITLISTED.value)
    return [o for o in options if o.to not in closed]


def _side_of(from_state: str, to_state: str, reason: str, actor_user: UUID | None) -> str:
    if actor_user is None or reason in {r.value for r in SYSTEM_CANCEL_REASONS}:
        return Side.SYSTEM.value
    rule = rule_for(State(from_state), State(to_state))
    people = sorted(rule.sides - {Side.SYSTEM}) if rule else []
    return people[0].value if people else Side.SYSTEM.value


async def _history(referral_id: UUID, client_id: UUID, with_notes: bool) -> list[HistoryEntry]:
    rows = (
        await ReferralTransition.select()
        .where(ReferralTransition.referral == referral_id)
        .order_by(ReferralTransition.at)
    )
    if with_notes:
        rows = await sealed.open_column(
            rows, "note", sealed.TRANSITION_NOTE, {referral_id: client_id}
        )
    return [
        HistoryEntry(
            t["from_state"],
            t["to_state"],
            _side_of(t["from_state"], t["to_state"], t["reason"], t["actor_user"]),
            t["reason"],
            t["note"] if with_notes else None,
            t["at"],
        )
        for t in rows
    ]


async def load_visible(referral_id: UUID, actor: CurrentUser) -> tuple[dict[str, Any], set[Side]]:
    """The referral row (with the names of its offer, organisations and client pseudonym)
    and the actor's sides; 404 for anyone who may not see it."""
    row = (
        await Referral.select(
            *Referral.all_columns(),
            Referral.service.name,
            Referral.sender_organization.name,
            Referral.recipient_organization.name,
            Referral.client.pseudonym,
        )
        .where(Referral.id == referral_id)
        .first()
    )
    if row is None:
        raise NotFoundException("No such referral.")
    sides = actor_sides(actor, row)
    if not sides:
        raise NotFoundException("No such referral.")
    return row, sides


async def detail(referral_id: UUID, actor: CurrentUser, remote_addr: str) -> ReferralOut:
    """The referral as this actor may see it; the read is written to the audit log."""
    from clients.api import ClientErased, reveal_personal_data

    row, sides = await load_visible(referral_id, actor)
    side = Side.SENDER if Side.SENDER in sides else Side.RECEIVER
    level = Level.OWNER if side is Side.SENDER else await disclosure.receiver_level(row)
    personal: dict[str, Any] | None = None
    if level is Level.FULL:
        categories = disclosure.revealed_categories(row)
        if categories:
            try:
                personal = await reveal_personal_data(
                    row["client"], categories, actor, remote_addr, purpose="referral"
                )
            except (NotFoundException, ClientErased):
                personal = None
    pseudonym = row["client.pseudonym"] if side is Side.SENDER else None
    sees_content = level in {Level.OWNER, Level.FULL, Level.DECIDE}
    service = Named(row["service"], row["service.name"] or "")
    sender_org = Named(row["sender_organization"], row["sender_organization.name"] or "")
    recipient_org = Named(
        row["recipient_organization"], row["recipient_organization.name"] or ""
    )

    def shown(value: Any) -> Any:
        return value if sees_content else None

    if sees_content:
        row = await sealed.open_referral_texts(row)

    out = ReferralOut(
        id=row["id"],
        state=row["state"],
        fhir_status=FHIR_TASK_STATUS[State(row["state"])],
        version=row["version"],
        side=side.value,
        disclosure=level.value,
        service=service,
        sender_organization=sender_org,
        recipient_organization=recipient_org,
        client_id=row["client"] if side is Side.SENDER else None,
        client_pseudonym=pseudonym,
        need_category=row["need_category"],
        urgency=row["urgency"],
        need_text=shown(row["need_text"]),
        languages=shown(json_list(row["languages"])),
        interpreter_needed=shown(row["interpreter_needed"]),
        accessibility_needs=shown(row["accessibility_needs"]),
        preferred_times=shown(row["preferred_times"]),
        age_band=shown(row["age_band"]),
        district=shown(row["district"]),
        notes=row["notes"] if level in {Level.OWNER, Level.FULL} else None,
        shared_categories=json_list(row["shared_categories"]),
        personal_data=personal,
        created_at=row["created_at"],
        sent_at=row["sent_at"],
        answer_due=row["answer_due"],
        answered_at=row["answered_at"],
        closed_at=row["closed_at"],
        waitlist=await _waitlist_info(row),
        appointment_text=row["appointment_text"] if sees_content else None,
        appointment_slot_id=row["appointment_slot"],
        allowed_transitions=await possible_moves(row, options_for(row["state"], sides)),
        history=await _history(row["id"], row["client"], sees_content),
    )
    await audit.record(
        "referral.read",
        "referral",
        row["id"],
        actor,
        row["sender_organization"],
        {"side": side.value, "disclosure": level.value, "client_id": row["client"]},
        remote_addr,
        actor_organization=(
            row["sender_organization"] if side is Side.SENDER else row["recipient_organization"]
        ),
    )
    return out


def open_states() -> list[str]:
    return sorted(s.value for s in OPEN)


async def last_reason(referral_id: UUID) -> str:
    row = (
        await ReferralTransition.select(ReferralTransition.reason)
        .where(ReferralTransition.referral == referral_id)
        .order_by(ReferralTransition.at, ascending=False)
        .first()
    )
    return str(row["reason"]) if row else ""
