"""Offers that follow a published calendar URL: fetched on a schedule with conditional requests
(ETag / Last-Modified), imported like an upload; failures are recorded, never half-applied.

Every address, and every redirect, passes the outbound guard of `core.outbound`: names that
resolve to loopback, private, link-local or carrier-grade NAT networks are refused unless
LOTSE_OUTBOUND_ALLOW lists them (an intranet Exchange server, the tests), and the request goes
to the address that was checked; so a subscription cannot be used to probe the server's own
network. The older LOTSE_CALENDAR_FETCH_PRIVATE still lets calendars reach any address.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urljoin, urlsplit, urlunsplit
from uuid import UUID

import httpx

from calendars.ics_import import IcsImportError, ImportLimits
from calendars.import_runner import read_calendar
from calendars.store import announce
from calendars.store_import import ImportSummary, apply_import
from calendars.tables import CalendarSubscription, Schedule, ScheduleException
from core import outbound
from core.db import atomic
from core.errors import N_, ReadableError
from settings import get_settings

log = logging.getLogger("lotse.calendars")

POLL_EVERY = timedelta(hours=6)
TIMEOUT = httpx.Timeout(20.0, connect=10.0)
MAX_REDIRECTS = 3
USER_AGENT = "Lotse-Kalender/1.0 (+calendar subscription)"


class FetchError(ReadableError):
    """The calendar could not be fetched; the message says why."""


@dataclass(frozen=True)
class Fetched:
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None


def normalise_url(url: str) -> str:
    """webcal:// is http(s) by another name; anything but http(s) is refused."""
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    if scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(N_("Enter an address starting with https:// (or webcal://)"))
    if len(url) > 1000:
        raise FetchError(N_("The address is too long"))
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _private_allowed() -> bool:
    return get_settings().calendar_fetch_private


@asynccontextmanager
async def _streamed(
    client: httpx.AsyncClient, target: outbound.Target, headers: dict[str, str]
) -> AsyncIterator[httpx.Response]:
    response = await client.send(target.request(client, "GET", headers), stream=True)
    try:
        yield response
    finally:
        await response.aclose()


async def fetch(url: str, etag: str | None, last_modified: str | None, max_bytes: int) -> Fetched:
    """GET with the validators of the last response; stops reading beyond `max_bytes`."""
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = normalise_url(url)
    async with outbound.client(TIMEOUT) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                target = await outbound.check(
                    current, https_only=False, allow_private=_private_allowed()
                )
            except outbound.OutboundRefusedError as refused:
                raise FetchError(refused.message, **refused.params) from None
            try:
                async with _streamed(client, target, headers) as response:
                    if response.is_redirect and "location" in response.headers:
                        current = normalise_url(urljoin(current, response.headers["location"]))
                        continue
                    if response.status_code == 304:
                        return Fetched(304, b"", etag, last_modified)
                    if response.status_code != 200:
                        raise FetchError(
                            N_("The server answered {status} for the calendar address"),
                            status=response.status_code,
                        )
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise FetchError(
                                N_("The calendar is larger than {mb} MB"),
                                mb=max_bytes // 1_000_000,
                            )
                        chunks.append(chunk)
                    return Fetched(
                        200,
                        b"".join(chunks),
                        response.headers.get("etag"),
                        response.headers.get("last-modified"),
                    )
            except httpx.HTTPError as error:
                raise FetchError(
                    N_("The calendar could not be fetched ({detail})"),
                    detail=type(error).__name__,
                ) from None
    raise FetchError(N_("The calendar address redirects too often"))


@dataclass(frozen=True)
class PollOutcome:
    subscription_id: UUID
    changed: bool
    summary: ImportSummary | None = None
    error: str = ""


async def add_subscription(service_id: UUID, url: str, kind: str, created_by: UUID | None) -> UUID:
    if kind not in ("hours", "course"):
        raise FetchError(N_("Imported events become hours or course dates"))
    row = CalendarSubscription(
        service=service_id, url=normalise_url(url), kind=kind, created_by=created_by
    )
    async with atomic():
        await CalendarSubscription.insert(row)
    return row.id


async def remove_subscription(subscription_id: UUID) -> None:
    """Stop following the calendar and drop what it brought in."""
    async with atomic():
        row = (
            await CalendarSubscription.select(CalendarSubscription.service)
            .where(CalendarSubscription.id == subscription_id)
            .first()
        )
        if row is None:
            return
        await ScheduleException.delete().where(ScheduleException.subscription == subscription_id)
        await Schedule.delete().where(Schedule.subscription == subscription_id)
        await CalendarSubscription.delete().where(CalendarSubscription.id == subscription_id)
        await announce([row["service"]])


async def poll_subscription(
    subscription_id: UUID, today: date | None = None, force: bool = False
) -> PollOutcome:
    """Fetch and import one subscription now. Errors are stored on the row and returned."""
    row = (
        await CalendarSubscription.select()
        .where(CalendarSubscription.id == subscription_id)
        .first()
    )
    if row is None:
        raise LookupError("subscription not found")
    now = datetime.now(UTC)
    limits = ImportLimits.from_settings()
    try:
        fetched = await fetch(
            row["url"],
            None if force else row["etag"],
            None if force else row["last_modified"],
            limits.max_bytes,
        )
        digest = hashlib.sha256(fetched.body).hexdigest() if fetched.status == 200 else None
        if fetched.status == 304 or (digest == row["content_hash"] and not force):
            await CalendarSubscription.update(
                {
                    CalendarSubscription.last_polled: now,
                    CalendarSubscription.last_success: now,
                    CalendarSubscription.last_error: "",
                }
            ).where(CalendarSubscription.id == subscription_id)
            return PollOutcome(subscription_id, changed=False)
        result = await read_calendar(fetched.body, today or now.date(), row["kind"], limits)
    except (FetchError, IcsImportError) as error:
        stored = json.dumps({"message": error.message, "params": error.params}, default=str)
        await CalendarSubscription.update(
            {CalendarSubscription.last_polled: now, CalendarSubscription.last_error: stored}
        ).where(CalendarSubscription.id == subscription_id)
        return PollOutcome(subscription_id, changed=False, error=str(error))
    async with atomic():
        summary = await apply_import(row["service"], result, subscription_id)
        await CalendarSubscription.update(
            {
                CalendarSubscription.etag: fetched.etag,
                CalendarSubscription.last_modified: fetched.last_modified,
                CalendarSubscription.content_hash: digest,
                CalendarSubscription.last_polled: now,
                CalendarSubscription.last_success: now,
                CalendarSubscription.last_error: "",
            }
        ).where(CalendarSubscription.id == subscription_id)
    return PollOutcome(subscription_id, changed=True, summary=summary)


def error_text(stored: str, gettext: Callable[[str], str]) -> str:
    """The stored error of the last poll, in the reader's language."""
    if not stored:
        return ""
    try:
        data = json.loads(stored)
        return ReadableError(str(data["message"]), **dict(data["params"])).translated(gettext)
    except (ValueError, KeyError, TypeError):
        return stored


async def claim_due(now: datetime, limit: int = 20) -> list[UUID]:
    """Subscriptions due for a poll, claimed by moving last_polled, so that several processes
    never fetch the same calendar at once."""
    due_before = now - POLL_EVERY
    candidates = (
        await CalendarSubscription.select(CalendarSubscription.id)
        .where(
            (CalendarSubscription.active == True)  # noqa: E712 (a SQL expression)
            & (
                CalendarSubscription.last_polled.is_null()
                | (CalendarSubscription.last_polled < due_before)
            )
        )
        .limit(limit)
    )
    claimed: list[UUID] = []
    for candidate in candidates:
        won = (
            await CalendarSubscription.update({CalendarSubscription.last_polled: now})
            .where(
                (CalendarSubscription.id == candidate["id"])
                & (
                    CalendarSubscription.last_polled.is_null()
                    | (CalendarSubscription.last_polled < due_before)
                )
            )
            .returning(CalendarSubscription.id)
        )
        if won:
            claimed.append(candidate["id"])
    return claimed


async def poll_due(now: datetime | None = None) -> list[PollOutcome]:
    moment = now or datetime.now(UTC)
    outcomes = []
    for subscription_id in await claim_due(moment):
        try:
            outcomes.append(await poll_subscription(subscription_id, moment.date()))
        except Exception as error:  # one broken subscription must not stop the others
            log.warning("calendar subscription poll failed: %s", type(error).__name__)
    return outcomes
