"""In-app notifications: what happened to whom, rendered in the reader's language, pushed live.

Rows carry only a kind and non-personal parameters (offer name, states, reason codes, dates);
texts are rendered when read. The broker wakes the live streams (server-sent events) of the
users concerned in every process, through `core.pubsub` (LOTSE_PUBSUB); streams also poll, as a
safety net and for a separate worker under the in-memory backend.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections import defaultdict
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec
from babel.dates import format_date, format_datetime
from babel.support import NullTranslations

from core import pubsub
from core.i18n import N_
from core.time import BERLIN
from core.validation import one_line
from referrals.tables import Notification

log = logging.getLogger("lotse.referrals")

# Reason codes and states as people read them; msgids are extracted for translation.
REASON_LABELS: dict[str, str] = {}
STATE_LABELS: dict[str, str] = {}
NEED_LABELS: dict[str, str] = {}
WAIT_LABELS: dict[str, str] = {}
URGENCY_LABELS: dict[str, str] = {}


REASON_LABELS.update(
    {
        "no_capacity": N_("no free place"),
        "not_eligible": N_("not eligible"),
        "out_of_area": N_("outside the service area"),
        "client_unreachable": N_("client could not be reached"),
        "client_declined": N_("client declined"),
        "other": N_("other reason"),
        "consent_withdrawn": N_("consent withdrawn"),
        "answer_expired": N_("answer deadline expired"),
        "referred_elsewhere": N_("referred elsewhere"),
        "client_erased": N_("client data erased"),
    }
)
STATE_LABELS.update(
    {
        "draft": N_("draft"),
        "sent": N_("sent"),
        "accepted": N_("accepted"),
        "waitlisted": N_("on the waitlist"),
        "declined": N_("declined"),
        "in_progress": N_("in progress"),
        "completed": N_("completed"),
        "failed": N_("failed"),
        "cancelled": N_("cancelled"),
    }
)
NEED_LABELS.update(
    {
        "language_course": N_("language course"),
        "counselling": N_("counselling"),
        "integration_course": N_("integration course"),
        "work": N_("work and training"),
        "education": N_("school and education"),
        "childcare": N_("childcare"),
        "housing": N_("housing"),
        "health": N_("health"),
        "legal": N_("legal advice"),
        "leisure": N_("leisure and social contact"),
        "other": N_("other need"),
    }
)
WAIT_LABELS.update(
    {
        "unknown": N_("not known yet"),
        "under_2_weeks": N_("less than 2 weeks"),
        "2_to_6_weeks": N_("2 to 6 weeks"),
        "6_to_12_weeks": N_("6 to 12 weeks"),
        "over_12_weeks": N_("more than 12 weeks"),
    }
)

URGENCY_LABELS.update({"normal": N_("normal"), "high": N_("high"), "urgent": N_("urgent")})

# kind -> (title, body); placeholders are filled from the notification's parameters.
TEXTS: dict[str, tuple[str, str]] = {
    "referral_received": (
        N_("New referral for {service}"),
        N_("Urgency: {urgency}. Please answer by {due}."),
    ),
    "referral_accepted": (
        N_("{service} accepted your referral"),
        N_("Appointment: {appointment}"),
    ),
    "referral_waitlisted": (
        N_("{service} put your referral on the waitlist"),
        N_("Position {position} of {length}; expected wait: {wait}."),
    ),
    "referral_declined": (
        N_("{service} declined your referral"),
        N_("Reason: {reason}. Please look for another offer."),
    ),
    "referral_in_progress": (N_("Referral to {service} is in progress"), ""),
    "referral_completed": (N_("Referral to {service} completed"), ""),
    "referral_failed": (N_("Referral to {service} failed"), N_("Reason: {reason}.")),
    "referral_cancelled": (
        N_("Referral to {service} was cancelled"),
        N_("Reason: {reason}."),
    ),
    "referral_expired": (
        N_("No answer from {service} in time"),
        N_("The answer deadline passed and the referral was closed. Please refer elsewhere."),
    ),
    "deadline_reminder": (
        N_("Referral for {service} awaits your answer"),
        N_("The answer is due by {due}."),
    ),
    "place_offered": (
        N_("A place in {service} is free for a waitlisted referral"),
        N_("It is held until {until}; the provider confirms it by accepting."),
    ),
    "place_offer_lapsed": (
        N_("A held place in {service} was not taken in time"),
        N_("It has passed to the next referral on the waitlist."),
    ),
    "message": (N_("New message on a referral to {service}"), ""),
    "consent_withdrawn": (
        N_("A client withdrew a consent"),
        N_("Personal data shared with your organisation under it is no longer available."),
    ),
}


class NotificationOut(msgspec.Struct):
    id: UUID
    kind: str
    title: str
    body: str
    referral_id: UUID | None
    created_at: datetime
    read: bool


def _params(raw: Any) -> dict[str, Any]:
    value = json.loads(raw) if isinstance(raw, str) else raw
    return dict(value or {})


def _format_value(key: str, value: Any, t: NullTranslations, lang: str) -> str:
    labels = {
        "reason": REASON_LABELS,
        "state": STATE_LABELS,
        "wait": WAIT_LABELS,
        "urgency": URGENCY_LABELS,
        "need": NEED_LABELS,
    }.get(key)
    if labels is not None and value in labels:
        return t.gettext(labels[value])
    if key in {"due"} and value:
        return format_date(date.fromisoformat(str(value)), format="medium", locale=lang)
    if key in {"until"} and value:
        moment = datetime.fromisoformat(str(value))
        return format_datetime(moment, format="medium", tzinfo=BERLIN, locale=lang)
    if key == "appointment" and not value:
        return t.gettext("will be agreed directly")
    return str(value)


def render(kind: str, params: dict[str, Any], t: NullTranslations, lang: str) -> tuple[str, str]:
    title, body = TEXTS.get(kind, (kind, ""))
    values = {k: _format_value(k, v, t, lang) for k, v in params.items()}
    values.setdefault("appointment", t.gettext("will be agreed directly"))

    def fill(text: str) -> str:
        if not text:
            return ""
        try:
            return t.gettext(text).format(**values)
        except (KeyError, IndexError):
            return t.gettext(text)

    # A title is one line wherever it is shown: a list row, an e-mail subject.
    return one_line(fill(title)), fill(body)


def to_out(row: dict[str, Any], t: NullTranslations, lang: str) -> NotificationOut:
    title, body = render(row["kind"], _params(row["params"]), t, lang)
    return NotificationOut(
        id=row["id"],
        kind=row["kind"],
        title=title,
        body=body,
        referral_id=row["referral"],
        created_at=row["created_at"],
        read=row["read_at"] is not None,
    )


# --- live push ------------------------------------------------------------------------------


CHANNEL = "lotse_notifications"
# Users per message: 36 characters and a comma each stay under PostgreSQL's NOTIFY limit.
USERS_PER_MESSAGE = 150
# Marks this process's own messages, which it has acted on already.
_ORIGIN = f"{os.getpid()}-{id(object())}"


class Broker:
    """Wakes the open live streams of users: in this process directly (from any thread), in the
    others through `core.pubsub`."""

    def __init__(self) -> None:
        self._waiters: dict[UUID, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = (
            defaultdict(set)
        )
        self._hub: pubsub.PubSub | None = None

    async def listen(self) -> None:
        """Hear what other processes announce (called when the process starts)."""
        if self._hub is None:
            self._hub = pubsub.hub()
            await self._hub.subscribe(CHANNEL, self.heard)

    async def stop_listening(self) -> None:
        if self._hub is not None:
            hub, self._hub = self._hub, None
            await hub.unsubscribe(CHANNEL, self.heard)

    def heard(self, message: str) -> None:
        origin, _, ids = message.partition(":")
        if origin == _ORIGIN:
            return
        if not ids:
            # A reconnection may have lost messages: every open stream looks again.
            self.wake(set(self._waiters))
            return
        woken: set[UUID] = set()
        for text in ids.split(","):
            try:
                woken.add(UUID(text))
            except ValueError:
                continue
        self.wake(woken)

    async def announce(self, user_ids: set[UUID]) -> None:
        """Wake these users' streams here and in every other process."""
        self.wake(user_ids)
        if self._hub is None or not user_ids:
            return
        ordered = sorted(str(user_id) for user_id in user_ids)
        for start in range(0, len(ordered), USERS_PER_MESSAGE):
            part = ",".join(ordered[start:start + USERS_PER_MESSAGE])
            try:
                await self._hub.publish(CHANNEL, f"{_ORIGIN}:{part}")
            except Exception as error:  # the streams' own polling still finds the notification
                log.warning("live notification not announced: %s", type(error).__name__)

    def subscribe(self, user_id: UUID) -> asyncio.Event:
        event = asyncio.Event()
        self._waiters[user_id].add((asyncio.get_running_loop(), event))
        return event

    def unsubscribe(self, user_id: UUID, event: asyncio.Event) -> None:
        waiting = self._waiters.get(user_id)
        if waiting is not None:
            for item in [w for w in waiting if w[1] is event]:
                waiting.discard(item)
            if not waiting:
                self._waiters.pop(user_id, None)

    def wake(self, user_ids: set[UUID]) -> None:
        for user_id in user_ids:
            for loop, event in list(self._waiters.get(user_id, ())):
                if not loop.is_closed():
                    loop.call_soon_threadsafe(event.set)


broker = Broker()


async def unread_count(user_id: UUID) -> int:
    return await Notification.count().where(
        (Notification.user == user_id) & Notification.read_at.is_null()
    )


async def newer_than(user_id: UUID, since: datetime) -> list[dict[str, Any]]:
    return (
        await Notification.select()
        .where((Notification.user == user_id) & (Notification.created_at > since))
        .order_by(Notification.created_at)
        .limit(50)
    )
