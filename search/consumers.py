"""Applies directory and schedule changes to the search index, from the outbox, in batches.

Idempotent: an offer is always re-read from the database, so a repeated or late event only
writes the current state again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from uuid import UUID

from core.batches import chunks
from outbox.registry import OutboxMessage, consumer
from search.documents import services_at_location, services_of_organization
from search.indexing import refresh
from search.lifecycle import refresh_if_due
from search.runtime import get_engine

log = logging.getLogger("lotse.search")

SERVICE_TOPICS = (
    "directory.service_changed",
    "directory.service_retired",
    "calendars.schedule_changed",
)
TOPICS = [*SERVICE_TOPICS, "directory.organization_changed", "directory.location_changed"]
REFRESHED_AT_ONCE = 2000


def _uuids(payload: dict[str, object], key: str) -> list[UUID] | None:
    """The record named by `key` (one change) or those listed under `key` + "s" (an import's
    bulk announcement); None when the event names none readably."""
    try:
        many = payload.get(key + "s")
        if isinstance(many, list):
            return [UUID(str(value)) for value in many]
        return [UUID(str(payload[key]))]
    except (KeyError, ValueError):
        return None


async def affected_services(events: list[OutboxMessage]) -> list[UUID]:
    """The offers whose documents these events may have changed."""
    found: list[UUID] = []
    lookup: Callable[[UUID], Awaitable[list[UUID]]] | None
    for event in events:
        if event.topic in SERVICE_TOPICS:
            key, lookup = "service_id", None
        elif event.topic == "directory.organization_changed":
            key, lookup = "organization_id", services_of_organization
        else:
            key, lookup = "location_id", services_at_location
        values = _uuids(event.payload, key)
        if values is None:
            # Retrying cannot repair a malformed event: note it and go on.
            log.warning("search: event %s (%s) lacks a valid %s", event.id, event.topic, key)
            continue
        for value in values:
            found.extend([value] if lookup is None else await lookup(value))
    return list(dict.fromkeys(found))


@consumer("search-indexer", topics=TOPICS, batch_size=200)
async def index_changes(events: list[OutboxMessage]) -> None:
    engine = get_engine()
    # A new or damaged index, or the first change of a new day (opening hours and course
    # starts move on): rebuild completely, which covers these events too.
    if await refresh_if_due(engine):
        return
    # Bulk announcements name thousands of offers: read and index them a part at a time.
    for part in chunks(await affected_services(events), REFRESHED_AT_ONCE):
        await refresh(engine, part)
