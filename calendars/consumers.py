"""Outbox consumers of the calendars domain: appointment invitations and cancellations by e-mail."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import anyio.to_thread

from accounts.identity import load_user
from calendars import feed_cache
from calendars.invitations import Method, invitation_email, invitation_ics
from calendars.slots import SLOT_BOOKED, SLOT_RELEASED, get_slot
from core.i18n import translations
from core.mail import deliver
from core.time import BERLIN
from core.urls import absolute_url
from directory import api as directory
from outbox.registry import OutboxMessage, consumer
from settings import get_settings

log = logging.getLogger("lotse.calendars")


@dataclass(frozen=True)
class _Slot:
    id: UUID
    starts_at: datetime
    ends_at: datetime
    booked_referral_id: UUID


async def _send(message: OutboxMessage) -> None:
    payload = message.payload
    method: Method = "REQUEST" if message.topic == SLOT_BOOKED else "CANCEL"
    slot_id = UUID(payload["slot_id"])
    referral_id = UUID(payload["referral_id"])
    if method == "REQUEST":
        current = await get_slot(slot_id)
        if current is None or current.booked_referral_id != referral_id:
            return  # released (or gone) before the invitation went out: the cancel covers it
    user = await load_user(UUID(payload["user_id"]))
    if user is None:
        return
    info = await directory.service_brief(UUID(payload["service_id"]))
    offer = info.name if info else ""
    place = None
    if payload.get("location_id"):
        place = (await directory.place_briefs([UUID(payload["location_id"])])).get(
            UUID(payload["location_id"])
        )
    if place is None:
        place = await directory.first_place_brief(UUID(payload["service_id"]))
    location = ""
    if place is not None:
        location = f"{place.name}, {place.address}" if place.address else place.name
    settings = get_settings()
    organizer = (info.email or info.organization_email if info else None) or settings.mail_from
    t = translations(user.locale if user.locale in ("de", "en") else "de")
    slot = _Slot(
        slot_id,
        datetime.fromisoformat(payload["starts_at"]),
        datetime.fromisoformat(payload["ends_at"]),
        referral_id,
    )
    summary = t.gettext("Appointment: {offer}").format(offer=offer)
    url = absolute_url(f"/referrals/{referral_id}")
    ics = invitation_ics(
        slot,
        organizer,
        user.email,
        summary,
        method,
        int(payload["sequence"]),
        referral_id=referral_id,
        location=location,
        organizer_name=info.organization_name if info else "",
        url=url,
    )
    when = slot.starts_at.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
    if method == "REQUEST":
        subject = t.gettext("Appointment on {when}: {offer}").format(when=when, offer=offer)
        text = t.gettext(
            "An appointment was booked for your referral.\n\n"
            "Offer: {offer}\nWhen: {when}\nWhere: {location}\n\nDetails: {url}\n"
        ).format(offer=offer, when=when, location=location or "-", url=url)
    else:
        subject = t.gettext("Cancelled: appointment on {when}: {offer}").format(
            when=when, offer=offer
        )
        text = t.gettext(
            "The appointment for your referral was called off.\n\n"
            "Offer: {offer}\nWhen: {when}\n\nDetails: {url}\n"
        ).format(offer=offer, when=when, url=url)
    email = invitation_email(ics, method, settings.mail_from, user.email, subject, text)
    await anyio.to_thread.run_sync(deliver, email)


@consumer("calendars-invitations", topics=[SLOT_BOOKED, SLOT_RELEASED], batch_size=20)
async def send_invitations(messages: list[OutboxMessage]) -> None:
    for message in messages:
        await _send(message)


@consumer(feed_cache.CONSUMER, topics=feed_cache.TOPICS, batch_size=500)
async def feeds_changed(messages: list[OutboxMessage]) -> None:
    """Nothing to deliver: the events' rows themselves tell `calendars.feed_cache` of a change."""
