"""Fixtures of the calendars tests: an offer with a place, and a listener on schedule changes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from conftest import run


@dataclass
class Offer:
    organization_id: UUID
    service_id: UUID
    location_id: UUID
    service_at_location_id: UUID


@pytest.fixture
def offer(make_org: Any, make_service: Any) -> Offer:
    from directory.tables import Location, ServiceAtLocation

    org = make_org("Caritas Mülheim")
    service = make_service(org, name="Migrationsberatung für Erwachsene")
    location = Location(
        organization=org,
        name="Beratungsstelle Stadtmitte",
        address_1="Hingbergstraße 1",
        postal_code="45468",
    )
    run(location.save())
    place = ServiceAtLocation(service=service, location=location.id)
    run(place.save())
    return Offer(org, service, location.id, place.id)


@pytest.fixture
def changes(db: None) -> Iterator[list[str]]:
    """Service ids announced on calendars.schedule_changed, in order (after drain())."""
    from outbox import registry
    from outbox.registry import OutboxMessage, consumer

    seen: list[str] = []

    @consumer("test-schedule-listener", topics=["calendars.schedule_changed"])
    async def listen(events: list[OutboxMessage]) -> None:
        seen.extend(str(event.payload["service_id"]) for event in events)

    yield seen
    registry._consumers.pop("test-schedule-listener", None)
