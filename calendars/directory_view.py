"""What calendars needs to know about offers, providers and places, read-only.

Schedules belong to directory rows (their foreign keys point there); this module is the one
place that reads directory tables, so the rest of the domain speaks of ids and small values.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from directory.tables import Location, Organization, Service, ServiceAtLocation

T = TypeVar("T")
# Keeps IN lists well below SQLite's bound on query parameters.
CHUNK = 500
BULK = 1000


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class ServiceInfo:
    id: UUID
    name: str
    organization_id: UUID
    organization_name: str
    email: str | None
    organization_email: str | None
    active: bool


@dataclass(frozen=True)
class PlaceInfo:
    id: UUID
    name: str
    address: str


async def services(service_ids: Sequence[UUID]) -> dict[UUID, ServiceInfo]:
    found: dict[UUID, ServiceInfo] = {}
    for chunk in chunks(list(service_ids)):
        rows = await Service.select(
            Service.id,
            Service.name,
            Service.email,
            Service.status,
            Service.retired_at,
            Service.organization.id,
            Service.organization.name,
            Service.organization.email,
        ).where(Service.id.is_in(list(chunk)))
        for row in rows:
            found[row["id"]] = ServiceInfo(
                id=row["id"],
                name=row["name"],
                organization_id=row["organization.id"],
                organization_name=row["organization.name"],
                email=row["email"],
                organization_email=row["organization.email"],
                active=row["retired_at"] is None and row["status"] != "defunct",
            )
    return found


async def service(service_id: UUID) -> ServiceInfo | None:
    return (await services([service_id])).get(service_id)


async def organization_name(organization_id: UUID) -> str | None:
    row = (
        await Organization.select(Organization.name, Organization.retired_at)
        .where(Organization.id == organization_id)
        .first()
    )
    if row is None or row["retired_at"] is not None:
        return None
    return str(row["name"])


async def organization_service_ids(organization_id: UUID) -> list[UUID]:
    rows = (
        await Service.select(Service.id)
        .where(
            (Service.organization == organization_id)
            & Service.retired_at.is_null()
            & (Service.status != "defunct")
        )
        .order_by(Service.name)
    )
    return [row["id"] for row in rows]


async def all_active_service_ids() -> list[UUID]:
    rows = await Service.select(Service.id).where(
        Service.retired_at.is_null() & (Service.status != "defunct")
    )
    return [row["id"] for row in rows]


async def service_places(service_ids: Sequence[UUID]) -> dict[UUID, list[tuple[UUID, UUID]]]:
    """(service_at_location id, location id) pairs of each service."""
    found: dict[UUID, list[tuple[UUID, UUID]]] = {sid: [] for sid in service_ids}
    columns = (ServiceAtLocation.id, ServiceAtLocation.service, ServiceAtLocation.location)
    if len(found) > BULK:
        # Many offers (re-indexing): one scan instead of hundreds of IN queries.
        for row in await ServiceAtLocation.select(*columns):
            if row["service"] in found:
                found[row["service"]].append((row["id"], row["location"]))
        return found
    for chunk in chunks(list(service_ids)):
        rows = await ServiceAtLocation.select(*columns).where(
            ServiceAtLocation.service.is_in(list(chunk))
        )
        for row in rows:
            found.setdefault(row["service"], []).append((row["id"], row["location"]))
    return found


async def services_at_location(location_id: UUID) -> list[UUID]:
    rows = await ServiceAtLocation.select(ServiceAtLocation.service).where(
        ServiceAtLocation.location == location_id
    )
    return [row["service"] for row in rows]


async def service_of_place(service_at_location_id: UUID) -> UUID | None:
    row = (
        await ServiceAtLocation.select(ServiceAtLocation.service)
        .where(ServiceAtLocation.id == service_at_location_id)
        .first()
    )
    return row["service"] if row else None


async def places(location_ids: Sequence[UUID]) -> dict[UUID, PlaceInfo]:
    found: dict[UUID, PlaceInfo] = {}
    for chunk in chunks(list(location_ids)):
        rows = await Location.select(
            Location.id,
            Location.name,
            Location.address_1,
            Location.postal_code,
            Location.city,
            Location.location_type,
        ).where(Location.id.is_in(list(chunk)))
        for row in rows:
            street = ", ".join(
                part
                for part in (
                    row["address_1"],
                    " ".join(p for p in (row["postal_code"], row["city"]) if p),
                )
                if part
            )
            address = street if row["location_type"] != "virtual" else ""
            found[row["id"]] = PlaceInfo(row["id"], row["name"], address)
    return found


async def first_place(service_id: UUID) -> PlaceInfo | None:
    pairs = (await service_places([service_id])).get(service_id) or []
    if not pairs:
        return None
    info = await places([pairs[0][1]])
    return info.get(pairs[0][1])
