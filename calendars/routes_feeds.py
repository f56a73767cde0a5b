"""Feeds over HTTP: offer and provider calendars (public: calendar apps cannot log in) and the
personal appointments feed behind its secret address, with the page that manages it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from email.utils import format_datetime, parsedate_to_datetime
from uuid import UUID

import msgspec
from litestar import Request, Response, delete, get, head, post
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from accounts.guards import current_user, member
from calendars import feed_cache, feeds
from calendars.access import translate
from calendars.feed_versions import last_modified
from calendars.ics_export import etag_of
from calendars.slots import slots_of_user
from core.i18n import pick_language
from core.templates import render
from core.time import BERLIN, berlin_today
from core.urls import absolute_url
from directory import api as directory

# Litestar adds "; charset=utf-8" to text types itself.
ICS_TYPE = "text/calendar"
# What a feed answers, for the OpenAPI document: iCalendar, or 304 when the copy is current.
FEED_RESPONSES = {
    200: ResponseSpec(data_container=str, media_type=ICS_TYPE, generate_examples=False,
                      description="The calendar (RFC 5545), with ETag and Last-Modified."),
    304: ResponseSpec(data_container=None, generate_examples=False,
                      description="Not modified: the ETag in If-None-Match (or the date in "
                                  "If-Modified-Since) is still current."),
}


@dataclass(frozen=True)
class Feed:
    """A feed as served: its body, the file name offered, and whether caches may share it."""

    key: str
    body: bytes
    filename: str
    private: bool
    # Known when the body came from `calendars.feed_cache`; computed from the body otherwise.
    etag: str = ""


def _feed_id(name: str) -> UUID:
    """ "<uuid>.ics" from the path; anything else is not a feed."""
    if not name.endswith(".ics"):
        raise NotFoundException("Calendar feeds end in .ics")
    try:
        return UUID(name.removesuffix(".ics"))
    except ValueError:
        raise NotFoundException("No calendar feed at this address.") from None


def _etag_matches(etag: str, header: str) -> bool:
    """If-None-Match compares weakly (RFC 9110 13.1.2): a W/ prefix does not matter."""
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags


def _unchanged_since(changed: datetime, header: str) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored (RFC 9110 13.1.3)
    return changed <= (since if since.tzinfo else since.replace(tzinfo=UTC))


async def _headers(request: Request, feed: Feed) -> tuple[dict[str, str], bool]:
    """The response headers, and whether the client's copy is still current."""
    etag = feed.etag or etag_of(feed.body)
    changed = await last_modified(f"{feed.key}:{pick_language(request)}", etag)
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(changed, usegmt=True),
        "Cache-Control": "private, no-cache" if feed.private else "public, max-age=900",
        "Vary": "Accept-Language, Cookie",
    }
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        # If-None-Match decides alone when present (RFC 9110 13.2.2).
        return headers, _etag_matches(etag, if_none_match)
    since = request.headers.get("if-modified-since")
    return headers, since is not None and _unchanged_since(changed, since)


async def _answer(request: Request, feed: Feed) -> Response[bytes]:
    headers, current = await _headers(request, feed)
    if current:
        return Response(content=b"", status_code=304, headers=headers)
    headers["Content-Disposition"] = f'inline; filename="{feed.filename}"'
    return Response(content=feed.body, media_type=ICS_TYPE, headers=headers)


async def _head(request: Request, feed: Feed) -> Response[None]:
    """HEAD: the headers GET would send, without the body."""
    headers, current = await _headers(request, feed)
    if not current:
        headers["Content-Disposition"] = f'inline; filename="{feed.filename}"'
        headers["Content-Length"] = str(len(feed.body))
    return Response(
        content=None, status_code=304 if current else 200, media_type=ICS_TYPE, headers=headers
    )


async def _service(request: Request, feed: str) -> Feed:
    service_id = _feed_id(feed)
    today = berlin_today()
    body, etag = await feed_cache.kept(
        ("service", service_id, today, pick_language(request)),
        lambda: feeds.service_feed(service_id, today, translate(request)),
    )
    if body is None:
        raise NotFoundException("This offer does not exist (any more).")
    return Feed(f"service:{service_id}", body, f"angebot-{service_id}.ics", private=False,
                etag=etag)


async def _organization(request: Request, feed: str) -> Feed:
    organization_id = _feed_id(feed)
    today = berlin_today()
    body, etag = await feed_cache.kept(
        ("organization", organization_id, today, pick_language(request)),
        lambda: feeds.organization_feed(organization_id, today, translate(request)),
    )
    if body is None:
        raise NotFoundException("This organisation does not exist (any more).")
    return Feed(
        f"organization:{organization_id}", body, f"traeger-{organization_id}.ics",
        private=False, etag=etag,
    )


async def _personal(request: Request, feed: str) -> Feed:
    if not feed.endswith(".ics"):
        raise NotFoundException("No calendar feed at this address.")
    user_id = await feeds.user_of_token(feed.removesuffix(".ics"))
    if user_id is None:
        raise NotFoundException("This feed address is unknown or was turned off.")
    body = await feeds.personal_feed(user_id, berlin_today(), translate(request))
    return Feed(f"personal:{user_id}", body, "termine.ics", private=True)


@get(
    "/calendars/services/{feed:str}",
    operation_id="serviceCalendarFeed",
    opt={"public": True},
    tags=["calendars"],
    responses=FEED_RESPONSES,
    summary="iCalendar feed of an offer's opening hours and dates (<id>.ics)",
)
async def service_feed(request: Request, feed: FromPath[str]) -> Response[bytes]:
    """The offer's opening hours, course sessions and closures as iCalendar (RFC 5545,
    `text/calendar`) for any calendar program; public, cacheable, with ETag and Last-Modified
    (304 on a match).
    """
    return await _answer(request, await _service(request, feed))


@head(
    "/calendars/services/{feed:str}",
    operation_id="serviceCalendarFeedHead",
    opt={"public": True},
    tags=["calendars"],
    responses=FEED_RESPONSES,
    summary="The headers of the feed (ETag, Last-Modified) without its body",
)
async def service_feed_head(request: Request, feed: FromPath[str]) -> Response[None]:
    """The headers the feed would send (ETag, Last-Modified, Content-Type), so that a client can
    check for changes without reading the calendar.
    """
    return await _head(request, await _service(request, feed))


@get(
    "/calendars/organizations/{feed:str}",
    operation_id="organizationCalendarFeed",
    opt={"public": True},
    tags=["calendars"],
    responses=FEED_RESPONSES,
    summary="iCalendar feed of all offers of a provider (<id>.ics)",
)
async def organization_feed(request: Request, feed: FromPath[str]) -> Response[bytes]:
    """The opening hours, sessions and closures of all live offers of one provider as one iCalendar
    file (`text/calendar`); public and cacheable.
    """
    return await _answer(request, await _organization(request, feed))


@head(
    "/calendars/organizations/{feed:str}",
    operation_id="organizationCalendarFeedHead",
    opt={"public": True},
    tags=["calendars"],
    responses=FEED_RESPONSES,
    summary="The headers of the feed (ETag, Last-Modified) without its body",
)
async def organization_feed_head(request: Request, feed: FromPath[str]) -> Response[None]:
    """The headers the provider's feed would send (ETag, Last-Modified, Content-Type), without the
    calendar.
    """
    return await _head(request, await _organization(request, feed))


@get(
    "/calendars/feeds/{feed:str}",
    operation_id="personalCalendarFeed",
    opt={"public": True},
    tags=["calendars"],
    responses=FEED_RESPONSES,
    summary="Personal appointments feed; the secret address is the credential",
)
async def personal_feed(request: Request, feed: FromPath[str]) -> Response[bytes]:
    """Your appointments as iCalendar (`text/calendar`); the unguessable address is the credential,
    so no token is needed, and it stops working when a new address is made or it is turned off.
    """
    return await _answer(request, await _personal(request, feed))


@head(
    "/calendars/feeds/{feed:str}",
    operation_id="personalCalendarFeedHead",
    opt={"public": True},
    tags=["calendars"],
    responses=FEED_RESPONSES,
    summary="The headers of the feed (ETag, Last-Modified) without its body",
)
async def personal_feed_head(request: Request, feed: FromPath[str]) -> Response[None]:
    """The headers the personal feed would send (ETag, Last-Modified, Content-Type), without the
    calendar.
    """
    return await _head(request, await _personal(request, feed))


def feed_url(token: str) -> str:
    return absolute_url(f"/calendars/feeds/{token}.ics")


async def _my_feed_page(request: Request, new_url: str | None = None) -> Template:
    user = current_user(request)
    since = await feeds.has_feed(user.id)
    slots = await slots_of_user(user.id, since=_start_of_today())
    infos = await directory.service_briefs(list({slot.service_id for slot in slots}))
    appointments = [
        {
            "start": slot.starts_at.astimezone(BERLIN),
            "end": slot.ends_at.astimezone(BERLIN),
            "offer": infos[slot.service_id].name if slot.service_id in infos else "",
            "referral_id": slot.booked_referral_id,
        }
        for slot in slots
    ]
    return render(
        request,
        "calendars/my_feed.html",
        {"active_since": since, "new_url": new_url, "appointments": appointments},
    )


def _start_of_today() -> datetime:
    return datetime.combine(berlin_today(), time(0), tzinfo=BERLIN)


@get("/calendars/my-feed", operation_id="myFeedPage", guards=[member], include_in_schema=False)
async def my_feed_page(request: Request) -> Template:
    return await _my_feed_page(request)


@post(
    "/calendars/my-feed",
    operation_id="createMyFeedForm",
    guards=[member],
    include_in_schema=False,
    status_code=200,
)
async def create_my_feed(request: Request) -> Template:
    user = current_user(request)
    token = await feeds.create_feed_token(user.id)
    return await _my_feed_page(request, new_url=feed_url(token))


@post(
    "/calendars/my-feed/revoke",
    operation_id="revokeMyFeedForm",
    guards=[member],
    include_in_schema=False,
)
async def revoke_my_feed(request: Request) -> Redirect:
    await feeds.revoke_feed_tokens(current_user(request).id)
    return Redirect("/calendars/my-feed?revoked=1", status_code=303)


class FeedAddress(msgspec.Struct):
    url: str


@post(
    "/api/calendars/feed",
    operation_id="createPersonalFeed",
    guards=[member],
    tags=["calendars"],
    status_code=HTTP_201_CREATED,
)
async def api_create_feed(request: Request) -> FeedAddress:
    """Make a new personal feed address.

    A new secret address of your appointments feed (shown once; older ones stop working).
    """
    token = await feeds.create_feed_token(current_user(request).id)
    return FeedAddress(url=feed_url(token))


@delete(
    "/api/calendars/feed",
    operation_id="revokePersonalFeed",
    guards=[member],
    tags=["calendars"],
    status_code=HTTP_204_NO_CONTENT,
)
async def api_revoke_feed(request: Request) -> None:
    """Turn off my personal feed.

    Every address of your appointments feed stops working at once.
    """
    await feeds.revoke_feed_tokens(current_user(request).id)


ROUTES = [
    service_feed,
    service_feed_head,
    organization_feed,
    organization_feed_head,
    personal_feed,
    personal_feed_head,
    my_feed_page,
    create_my_feed,
    revoke_my_feed,
    api_create_feed,
    api_revoke_feed,
]
