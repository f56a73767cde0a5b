"""The iCalendar feeds Lotse serves: per offer, per provider, and a personal appointments feed
behind a secret, revocable token."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import anyio.to_thread

from calendars.ics_export import (
    AppointmentEntry,
    FeedLabels,
    FeedSource,
    appointments_feed,
    schedule_feed,
)
from calendars.invitations import appointment_uid
from calendars.slots import slots_of_user
from calendars.store import schedules_by_service
from calendars.tables import FeedToken
from core.db import atomic
from core.urls import absolute_url
from directory import api as directory

Translate = Callable[[str], str]


def feed_labels(_: Translate) -> FeedLabels:
    return FeedLabels(
        appointment_only=_("By appointment only"),
        course=_("Course"),
        closed_holidays=_("Closed on public holidays (NRW)."),
    )


def week_url(service_id: UUID) -> str:
    return absolute_url(f"/calendars/services/{service_id}/week")


async def _sources(service_ids: list[UUID]) -> list[FeedSource]:
    infos = await directory.service_briefs(service_ids)
    schedules = await schedules_by_service(service_ids)
    places = await directory.service_places(service_ids)
    location_ids = [pairs[0][1] for pairs in places.values() if pairs]
    place_info = await directory.place_briefs(location_ids)
    sources: list[FeedSource] = []
    for service_id in service_ids:
        info = infos.get(service_id)
        if info is None or not info.active:
            continue
        pairs = places.get(service_id) or []
        place = place_info.get(pairs[0][1]) if pairs else None
        location = ""
        if place is not None:
            location = f"{place.name}, {place.address}" if place.address else place.name
        found = schedules[service_id]
        sources.append(
            FeedSource(
                key=service_id,
                summary=info.name,
                rules=found.rules,
                exceptions=found.exceptions,
                location=location,
                url=week_url(service_id),
                categories=(info.organization_name,),
            )
        )
    return sources


async def service_feed(service_id: UUID, today: date, _: Translate) -> bytes | None:
    sources = await _sources([service_id])
    if not sources:
        return None
    return schedule_feed(sources[0].summary, sources, today, feed_labels(_))


async def organization_feed(organization_id: UUID, today: date, _: Translate) -> bytes | None:
    name = await directory.organization_name(organization_id)
    if name is None:
        return None
    service_ids = await directory.organization_service_ids(organization_id)
    sources = await _sources(service_ids)
    # A large provider's feed takes a while to build: off the event loop, other requests go on.
    body: bytes = await anyio.to_thread.run_sync(
        schedule_feed, name, sources, today, feed_labels(_))
    return body


# --- personal feeds ---------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_feed_token(user_id: UUID) -> str:
    """A new secret feed address for the user; older ones stop working. Shown once."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    async with atomic():
        await FeedToken.update({FeedToken.revoked_at: now}).where(
            (FeedToken.user_id == user_id) & FeedToken.revoked_at.is_null()
        )
        await FeedToken.insert(FeedToken(user_id=user_id, token_hash=token_digest(token)))
    return token


async def revoke_feed_tokens(user_id: UUID) -> int:
    now = datetime.now(UTC)
    async with atomic():
        revoked = (
            await FeedToken.update({FeedToken.revoked_at: now})
            .where((FeedToken.user_id == user_id) & FeedToken.revoked_at.is_null())
            .returning(FeedToken.id)
        )
    return len(revoked)


async def has_feed(user_id: UUID) -> datetime | None:
    """When the user's active feed address was created, or None."""
    row = (
        await FeedToken.select(FeedToken.created_at)
        .where((FeedToken.user_id == user_id) & FeedToken.revoked_at.is_null())
        .first()
    )
    return row["created_at"] if row else None


async def user_of_token(token: str) -> UUID | None:
    if not 20 <= len(token) <= 100:
        return None
    row = (
        await FeedToken.select(FeedToken.id, FeedToken.user_id)
        .where((FeedToken.token_hash == token_digest(token)) & FeedToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        return None
    await FeedToken.update({FeedToken.last_used_at: datetime.now(UTC)}).where(
        FeedToken.id == row["id"]
    )
    return UUID(str(row["user_id"]))


async def personal_feed(user_id: UUID, today: date, _: Translate) -> bytes:
    """The user's booked appointments: offer and place only, never the client."""
    since = datetime.combine(today - timedelta(days=90), datetime.min.time(), tzinfo=UTC)
    slots = await slots_of_user(user_id, since)
    infos = await directory.service_briefs(list({slot.service_id for slot in slots}))
    place_info = await directory.place_briefs(
        [slot.location_id for slot in slots if slot.location_id]
    )
    entries: list[AppointmentEntry] = []
    for slot in slots:
        info = infos.get(slot.service_id)
        name = info.name if info else _("Appointment")
        place = place_info.get(slot.location_id) if slot.location_id else None
        location = ""
        if place is not None:
            location = f"{place.name}, {place.address}" if place.address else place.name
        entries.append(
            AppointmentEntry(
                uid=appointment_uid(slot.id, slot.booked_referral_id),
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                summary=_("Appointment: {offer}").format(offer=name),
                location=location,
                url=absolute_url(f"/referrals/{slot.booked_referral_id}"),
                description=info.organization_name if info else "",
                sequence=slot.sequence,
                last_modified=slot.last_modified,
            )
        )
    return appointments_feed(_("My appointments (Lotse)"), entries)
