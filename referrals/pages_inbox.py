"""Pages of the provider side (the inbox and its dialogs) and everyone's notifications."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from litestar import Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, ServerSentEvent, ServerSentEventMessage, Template

from accounts.guards import current_user, member, provider_staff
from core.db import atomic
from core.i18n import gettext_for, pick_language
from core.templates import render
from referrals import notifications, sealed, views
from referrals.page_helpers import error_text, labels
from referrals.pages_referrals import apply_form_transition, detail_page
from referrals.states import State
from referrals.tables import Notification
from referrals.waitlist import URGENCIES
from settings import get_settings

PER_PAGE = 25
# A live stream re-checks the database this often, for notifications written in a process its
# broker does not hear (LOTSE_PUBSUB=memory); with PostgreSQL every process hears the others.
POLL_SECONDS = 1.0
POLL_SECONDS_HEARING_ALL = 30.0
STREAM_SECONDS = 300.0


def poll_seconds() -> float:
    return POLL_SECONDS_HEARING_ALL if get_settings().pubsub == "postgres" else POLL_SECONDS


@get("/inbox", operation_id="inboxPage", guards=[provider_staff], include_in_schema=False)
async def inbox(
    request: Request,
    wanted_state: Annotated[str | None, QueryParameter(name="state")] = None,
    urgency: FromQuery[str | None] = None, page: FromQuery[int] = 1,
) -> Template:
    user = current_user(request)
    states = [wanted_state] if wanted_state in {s.value for s in State} - {"draft"} else []
    wanted_urgency = urgency if urgency in URGENCIES else None
    page = max(page, 1)
    items, total = await views.list_inbox(
        user, states=states, service_id=None, urgency=wanted_urgency,
        offset=(page - 1) * PER_PAGE, limit=PER_PAGE,
    )
    return render(
        request,
        "referrals/inbox.html",
        {
            "items": items, "total": total, "page": page, "per_page": PER_PAGE,
            "state": states[0] if states else "", "urgency": wanted_urgency or "",
            "states": [s.value for s in State if s is not State.DRAFT],
            "urgencies": URGENCIES, "labels": labels(gettext_for(request)),
        },
    )


@get("/inbox/{referral_id:uuid}", operation_id="inboxReferralPage", guards=[provider_staff],
     include_in_schema=False)
async def inbox_referral(request: Request, referral_id: FromPath[UUID]) -> Template:
    return await detail_page(request, referral_id, "referrals/inbox_detail.html")


@post("/inbox/{referral_id:uuid}/transition", operation_id="inboxTransition",
      guards=[provider_staff], include_in_schema=False)
async def inbox_transition(request: Request, referral_id: FromPath[UUID]) -> Template | Redirect:
    try:
        reached = await apply_form_transition(request, referral_id)
    except NotFoundException:
        raise
    except HTTPException as error:
        return await detail_page(request, referral_id, "referrals/inbox_detail.html",
                                 error_text(request, error), error.status_code)
    return Redirect(f"/inbox/{referral_id}?done={reached}", status_code=303)


@get("/notifications", operation_id="notificationsPage", guards=[member],
     include_in_schema=False)
async def notifications_page(request: Request) -> Template:
    user = current_user(request)
    rows = (
        await Notification.select()
        .where(Notification.user == user.id)
        .order_by(Notification.created_at, ascending=False)
        .limit(100)
    )
    t, lang = gettext_for(request), pick_language(request)
    rows = await sealed.open_notifications(rows, t)
    items = [notifications.to_out(row, t, lang) for row in rows]
    sides = {
        row["id"]: "inbox" if row["kind"] in INBOX_KINDS else "referrals" for row in rows
    }
    return render(
        request, "referrals/notifications.html",
        {"items": items, "sides": sides, "unread": sum(1 for i in items if not i.read)},
    )


# Kinds meant for the provider side: their link goes to the inbox.
INBOX_KINDS = {"referral_received", "referral_cancelled", "deadline_reminder"}


@post("/notifications/read", operation_id="notificationsPageMarkRead", guards=[member],
      include_in_schema=False)
async def notifications_mark_read(request: Request) -> Redirect:
    user = current_user(request)
    async with atomic():
        await Notification.update({Notification.read_at: datetime.now(UTC)}).where(
            (Notification.user == user.id) & Notification.read_at.is_null()
        )
    return Redirect("/notifications", status_code=303)


@get("/notifications/stream", operation_id="notificationStream", guards=[member],
     tags=["notifications"], responses={200: ResponseSpec(
         data_container=str, media_type="text/event-stream", generate_examples=False,
         description="Server-sent events: `unread` (the count) first, then `notification`.")})
async def notification_stream(request: Request) -> ServerSentEvent:
    """Stream my notifications.

    Live notifications of the current user as server-sent events: the unread count first
    (`unread`), then each new notification (`notification`); the stream ends after a while and
    the browser reconnects.
    """
    user = current_user(request)
    t, lang = gettext_for(request), pick_language(request)

    async def events() -> AsyncGenerator[ServerSentEventMessage, None]:
        wake = notifications.broker.subscribe(user.id)
        since = datetime.now(UTC)
        seen: set[UUID] = set()
        started = asyncio.get_running_loop().time()
        poll = poll_seconds()
        try:
            count = await notifications.unread_count(user.id)
            yield ServerSentEventMessage(event="unread", data=json.dumps({"unread": count}))
            while asyncio.get_running_loop().time() - started < STREAM_SECONDS:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=poll)
                wake.clear()
                fresh = await sealed.open_notifications(
                    [r for r in await notifications.newer_than(user.id, since)
                     if r["id"] not in seen], t
                )
                for row in fresh:
                    seen.add(row["id"])
                    since = max(since, row["created_at"])
                    out = notifications.to_out(row, t, lang)
                    yield ServerSentEventMessage(
                        event="notification",
                        id=str(out.id),
                        data=json.dumps({
                            "id": str(out.id), "kind": out.kind, "title": out.title,
                            "body": out.body,
                            "referral_id": str(out.referral_id) if out.referral_id else None,
                        }),
                    )
                if not fresh:
                    yield ServerSentEventMessage(comment="keep-alive")
        finally:
            notifications.broker.unsubscribe(user.id, wake)

    return ServerSentEvent(events())


ROUTES = [
    inbox,
    inbox_referral,
    inbox_transition,
    notifications_page,
    notifications_mark_read,
    notification_stream,
]
