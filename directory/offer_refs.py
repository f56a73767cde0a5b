"""Short references to offers, their providers and places, read-only: for domains that hang
their own rows on directory rows (calendars' schedules, slots and feeds) and need a name, an
e-mail address or an address line to show with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

import msgspec

from core.batches import chunks
from directory.tables import Location, Organization, Service, ServiceAtLocation, ServiceTerm

BULK = 1000


class ServiceBrief(msgspec.Struct, frozen=True):
    """An offer with its provider; `active` is false once it is retired or defunct."""

    id: UUID
    name: str
    organization_id: UUID
    organization_name: str
    email: str | None
    organization_email: str | None
    active: bool


class PlaceBrief(msgspec.Struct, frozen=True):
    """A place with its address line (empty for a virtual place)."""

    id: UUID
    name: str
    address: str


async def service_briefs(service_ids: Sequence[UUID]) -> dict[UUID, ServiceBrief]:
    found: dict[UUID, ServiceBrief] = {}
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
        ).where(Service.id.is_in(chunk))
        for row in rows:
            found[row["id"]] = ServiceBrief(
                id=row["id"],
                name=row["name"],
                organization_id=row["organization.id"],
                organization_name=row["organization.name"],
                email=row["email"],
                organization_email=row["organization.email"],
                active=row["retired_at"] is None and row["status"] != "defunct",
            )
    return found


async def service_brief(service_id: UUID) -> ServiceBrief | None:
    return (await service_briefs([service_id])).get(service_id)


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


async def active_service_ids() -> list[UUID]:
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
            ServiceAtLocation.service.is_in(chunk)
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


async def place_briefs(location_ids: Sequence[UUID]) -> dict[UUID, PlaceBrief]:
    found: dict[UUID, PlaceBrief] = {}
    for chunk in chunks(list(location_ids)):
        rows = await Location.select(
            Location.id,
            Location.name,
            Location.address_1,
            Location.postal_code,
            Location.city,
            Location.location_type,
        ).where(Location.id.is_in(chunk))
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
            found[row["id"]] = PlaceBrief(id=row["id"], name=row["name"], address=address)
    return found


async def first_place_brief(service_id: UUID) -> PlaceBrief | None:
    pairs = (await service_places([service_id])).get(service_id) or []
    if not pairs:
        return None
    info = await place_briefs([pairs[0][1]])
    return info.get(pairs[0][1])


class OfferOutline(msgspec.Struct, frozen=True):
    """An active offer's name, category codes and first place: enough to guess what kind of
    schedule it has (the calendars demo)."""

    id: UUID
    name: str
    term_codes: list[str]
    location_id: UUID | None


async def active_offer_outlines() -> list[OfferOutline]:
    """Every active offer (not retired, not defunct), in id order."""
    rows = (
        await Service.select(Service.id, Service.name)
        .where(Service.retired_at.is_null() & (Service.status != "defunct"))
        .order_by(Service.id)
    )
    ids = [row["id"] for row in rows]
    codes: dict[UUID, list[str]] = {sid: [] for sid in ids}
    places: dict[UUID, UUID] = {}
    for chunk in chunks(ids):
        for term in await ServiceTerm.select(ServiceTerm.service, ServiceTerm.term.code).where(
            ServiceTerm.service.is_in(chunk)
        ):
            codes[term["service"]].append(str(term["term.code"]))
        for sal in await ServiceAtLocation.select(
            ServiceAtLocation.service, ServiceAtLocation.location
        ).where(ServiceAtLocation.service.is_in(chunk)):
            places.setdefault(sal["service"], sal["location"])
    return [
        OfferOutline(
            id=row["id"],
            name=row["name"],
            term_codes=codes[row["id"]],
            location_id=places.get(row["id"]),
        )
        for row in rows
    ]


async def service_names(ids: Iterable[UUID]) -> dict[UUID, str]:
    """The names of those of `ids` that are offers (retired ones too)."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await Service.select(Service.id, Service.name).where(Service.id.is_in(wanted))
    return {row["id"]: row["name"] for row in rows}
