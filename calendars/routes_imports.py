"""The JSON API for calendar imports: .ics uploads and subscribed calendar URLs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, delete, get, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from accounts.guards import current_user, provider_staff
from calendars import store_import, subscriptions
from calendars.access import editable_service, translate
from calendars.ics_import import ImportLimits
from calendars.import_runner import read_bounded, read_calendar, report_lines
from calendars.routes import TAGS, invalid_input
from calendars.tables import CalendarSubscription
from core.errors import ReadableError
from core.time import berlin_today


class ImportReport(msgspec.Struct):
    created: int
    updated: int
    removed: int
    unchanged: int
    skipped_past: int
    # Every change made to what the calendar says and everything left out, in the reader's
    # language.
    warnings: list[str]


@post(
    "/api/calendars/services/{service_id:uuid}/import",
    operation_id="importCalendar",
    tags=TAGS,
    guards=[provider_staff],
    status_code=200,
    opt={
        "request_body": ("text/calendar", "The .ics file (RFC 5545), at most LOTSE_ICS_MAX_BYTES."),
        "errors": (413,),
    },
)
async def import_ics(
    request: Request, service_id: FromPath[UUID], kind: FromQuery[str] = "hours"
) -> ImportReport:
    """Import an .ics file into an offer.

    Send the .ics file as the request body (Content-Type: text/calendar). A calendar that
    cannot be imported is answered 400 (413 when too large) naming the problem; nothing is
    stored then."""
    await editable_service(request, service_id)
    limits = ImportLimits.from_settings()
    gettext = translate(request)
    try:
        body = await read_bounded(request.stream(), limits, request.headers.get("content-length"))
        result = await read_calendar(body, berlin_today(), kind, limits)
    except ReadableError as error:
        raise ClientException(
            detail=error.translated(gettext), status_code=error.status_code
        ) from None
    summary = await store_import.apply_import(service_id, result)
    return ImportReport(
        summary.created,
        summary.updated,
        summary.removed,
        summary.unchanged,
        result.skipped_past,
        report_lines(result, gettext),
    )


class SubscriptionIn(msgspec.Struct, forbid_unknown_fields=True):
    url: str
    kind: str = "hours"


class SubscriptionOut(msgspec.Struct):
    id: UUID
    url: str
    kind: str
    last_polled: datetime | None
    last_success: datetime | None
    last_error: str


def _subscription_out(row: dict[str, Any], request: Request) -> SubscriptionOut:
    return SubscriptionOut(
        row["id"],
        row["url"],
        row["kind"],
        row["last_polled"],
        row["last_success"],
        subscriptions.error_text(row["last_error"], translate(request)),
    )


@get(
    "/api/calendars/services/{service_id:uuid}/subscriptions",
    operation_id="listSubscriptions",
    tags=TAGS,
    guards=[provider_staff],
)
async def list_subscriptions(request: Request, service_id: FromPath[UUID]) -> list[SubscriptionOut]:
    """List an offer's calendar subscriptions.

    The calendar addresses the offer follows, with when each was last read, last read
    successfully, and the last error in your language.
    """
    await editable_service(request, service_id)
    rows = await CalendarSubscription.select().where(CalendarSubscription.service == service_id)
    return [_subscription_out(row, request) for row in rows]


@post(
    "/api/calendars/services/{service_id:uuid}/subscriptions",
    operation_id="createSubscription",
    tags=TAGS,
    guards=[provider_staff],
    status_code=HTTP_201_CREATED,
)
async def create_subscription(
    request: Request, service_id: FromPath[UUID], data: JSONBody[SubscriptionIn]
) -> SubscriptionOut:
    """Subscribe an offer to a calendar.

    Follow a calendar URL; it is read at once and then every few hours.
    """
    await editable_service(request, service_id)
    try:
        subscription_id = await subscriptions.add_subscription(
            service_id, data.url, data.kind, current_user(request).id
        )
    except ReadableError as error:
        raise invalid_input(request, error) from None
    await subscriptions.poll_subscription(subscription_id)
    row = (
        await CalendarSubscription.select()
        .where(CalendarSubscription.id == subscription_id)
        .first()
    )
    assert row is not None
    return _subscription_out(row, request)


async def _editable_subscription(request: Request, subscription_id: UUID) -> dict[str, Any]:
    row = (
        await CalendarSubscription.select()
        .where(CalendarSubscription.id == subscription_id)
        .first()
    )
    if row is None:
        raise NotFoundException("No subscription with this id.")
    await editable_service(request, row["service"])
    return row


@post(
    "/api/calendars/subscriptions/{subscription_id:uuid}/poll",
    operation_id="pollSubscription",
    tags=TAGS,
    guards=[provider_staff],
    status_code=200,
)
async def poll_now(request: Request, subscription_id: FromPath[UUID]) -> SubscriptionOut:
    """Read a subscribed calendar now.

    Fetches the subscribed calendar at once (instead of waiting for the next poll) and answers
    the subscription with the outcome of this read.
    """
    await _editable_subscription(request, subscription_id)
    await subscriptions.poll_subscription(subscription_id, force=True)
    return _subscription_out(await _editable_subscription(request, subscription_id), request)


@delete(
    "/api/calendars/subscriptions/{subscription_id:uuid}",
    operation_id="deleteSubscription",
    tags=TAGS,
    guards=[provider_staff],
    status_code=HTTP_204_NO_CONTENT,
)
async def delete_subscription(request: Request, subscription_id: FromPath[UUID]) -> None:
    """End a calendar subscription.

    The calendar is no longer read; the schedules it brought are removed from the offer.
    """
    await _editable_subscription(request, subscription_id)
    await subscriptions.remove_subscription(subscription_id)


ROUTES = [
    import_ics,
    list_subscriptions,
    create_subscription,
    poll_now,
    delete_subscription,
]
