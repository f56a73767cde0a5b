"""The provider and offer feeds, kept per process for as long as nothing in the directory or the
calendars changed.

Building the largest provider's feed walks three years of rules for every offer (about 100 ms);
calendar apps ask for it again and again. Each process keeps the body it built under the newest
outbox event of the consumer `calendars-feed-cache` (subscribed to every change of offers,
schedules, organisations and places). That event is written with the change, so every process
sees the mark move at the commit and builds afresh; the day is part of the key as well.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable

from calendars.ics_export import etag_of
from outbox.marks import newest_event

CONSUMER = "calendars-feed-cache"
TOPICS = [
    "directory.service_changed",
    "directory.service_retired",
    "directory.organization_changed",
    "directory.location_changed",
    "calendars.schedule_changed",
]
# Feeds kept per process (provider and offer feeds in each language and day).
MAX_FEEDS = 512

_kept: OrderedDict[tuple[object, ...], tuple[int, bytes | None, str]] = OrderedDict()


async def kept(key: tuple[object, ...],
               build: Callable[[], Awaitable[bytes | None]]) -> tuple[bytes | None, str]:
    """The feed body under `key` (None: no such feed) and its ETag, built only when the
    directory or the calendars changed since this process last built it."""
    current = await newest_event(CONSUMER)
    found = _kept.get(key)
    if found is not None and found[0] == current:
        _kept.move_to_end(key)
        return found[1], found[2]
    body = await build()
    etag = etag_of(body) if body is not None else ""
    _kept[key] = (current, body, etag)
    if len(_kept) > MAX_FEEDS:
        _kept.popitem(last=False)
    return body, etag
