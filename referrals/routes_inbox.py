"""JSON API of the provider side and of everyone's notifications and webhooks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from litestar import Request, delete, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from piccolo.custom_types import Combinable

from accounts.guards import current_user, member, provider_staff
from core.db import atomic
from core.errors import ReadableError
from core.i18n import gettext_for, pick_language
from core.web import Page, page_params
from referrals import notifications, sealed, views, webhooks
from referrals.routes_referrals import check_states, check_urgency
from referrals.tables import Notification


@get("/api/inbox", operation_id="listInbox", tags=["referrals"], guards=[provider_staff])
async def list_inbox(
    request: Request,
    states: Annotated[list[str] | None, QueryParameter(name="state")] = None,
    service_id: FromQuery[UUID | None] = None,
    urgency: FromQuery[str | None] = None,
    page: FromQuery[int] = 1,
    per_page: FromQuery[int] = 50,
) -> Page[views.ReferralSummary]:
    """Referrals addressed to your organisation's offers, the earliest deadline first.

    Without `state`, the open ones (sent, waitlisted, accepted, in progress).
    """
    offset, limit = page_params(page, per_page)
    items, total = await views.list_inbox(
        current_user(request),
        states=check_states(states),
        service_id=service_id,
        urgency=check_urgency(urgency),
        offset=offset,
        limit=limit,
    )
    return Page(items=items, total=total, page=page, per_page=per_page)


@get("/api/notifications", operation_id="listNotifications", tags=["notifications"],
     guards=[member])
async def list_notifications(
    request: Request,
    unread: FromQuery[bool] = False,
    page: FromQuery[int] = 1,
    per_page: FromQuery[int] = 50,
) -> Page[notifications.NotificationOut]:
    """List my notifications.

    Your notifications, newest first, in your language.
    """
    user = current_user(request)
    offset, limit = page_params(page, per_page)
    where: Combinable = Notification.user == user.id
    if unread:
        where &= Notification.read_at.is_null()
    total = await Notification.count().where(where)
    rows = (
        await Notification.select()
        .where(where)
        .order_by(Notification.created_at, ascending=False)
        .offset(offset)
        .limit(limit)
    )
    t, lang = gettext_for(request), pick_language(request)
    rows = await sealed.open_notifications(rows, t)
    return Page(
        items=[notifications.to_out(row, t, lang) for row in rows],
        total=total, page=page, per_page=per_page,
    )


@post("/api/notifications/{notification_id:uuid}/read", operation_id="markNotificationRead",
      tags=["notifications"], guards=[member], status_code=HTTP_204_NO_CONTENT)
async def mark_read(request: Request, notification_id: FromPath[UUID]) -> None:
    """Mark a notification read.

    Marks one of your notifications as read; 404 when it is not yours.
    """
    user = current_user(request)
    async with atomic():
        found = (
            await Notification.update({Notification.read_at: datetime.now(UTC)})
            .where((Notification.id == notification_id) & (Notification.user == user.id))
            .returning(Notification.id)
        )
    if not found:
        raise NotFoundException("No such notification of yours.")


@post("/api/notifications/read-all", operation_id="markAllNotificationsRead",
      tags=["notifications"], guards=[member], status_code=HTTP_204_NO_CONTENT)
async def mark_all_read(request: Request) -> None:
    """Mark all notifications read.

    Marks every unread notification of yours as read.
    """
    user = current_user(request)
    async with atomic():
        await Notification.update({Notification.read_at: datetime.now(UTC)}).where(
            (Notification.user == user.id) & Notification.read_at.is_null()
        )


@get("/api/webhooks", operation_id="listWebhooks", tags=["webhooks"], guards=[member])
async def list_webhooks(request: Request) -> list[webhooks.EndpointOut]:
    """List webhooks.

    Webhook endpoints of your organisations (without their secrets).
    """
    return await webhooks.list_endpoints(current_user(request))


@post("/api/webhooks", operation_id="createWebhook", tags=["webhooks"], guards=[member],
      status_code=HTTP_201_CREATED)
async def create_webhook(
    request: Request, data: JSONBody[webhooks.EndpointIn]
) -> webhooks.EndpointOut:
    """Register an endpoint (https, public address); the answer carries the signing secret,
    shown only this once."""
    try:
        return await webhooks.create_endpoint(data, current_user(request))
    except ReadableError as refused:
        raise refused.http() from None


@delete("/api/webhooks/{endpoint_id:uuid}", operation_id="deleteWebhook", tags=["webhooks"],
        guards=[member], status_code=HTTP_204_NO_CONTENT)
async def delete_webhook(request: Request, endpoint_id: FromPath[UUID]) -> None:
    """Delete a webhook.

    The endpoint of your organisation no longer receives events.
    """
    await webhooks.delete_endpoint(endpoint_id, current_user(request))


@get("/api/notifications/unread-count", operation_id="countUnreadNotifications",
     tags=["notifications"], guards=[member], status_code=HTTP_200_OK)
async def unread_count(request: Request) -> dict[str, int]:
    """Count my unread notifications.

    The number of your unread notifications, for a badge.
    """
    return {"unread": await notifications.unread_count(current_user(request).id)}


ROUTES = [
    list_inbox,
    list_notifications,
    mark_read,
    mark_all_read,
    unread_count,
    list_webhooks,
    create_webhook,
    delete_webhook,
]
