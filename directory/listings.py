"""Paged and filtered lists of the directory's organisations, services, services at locations
and taxonomy, as the open-data interfaces read them (the HSDS API, the HSDS export).

A ``ListingFilter`` says which records a list holds (all conditions combined with AND); pages
are ordered by name, batches by id (keyset paging, no OFFSET), so memory stays flat however
large the directory is.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Literal

import msgspec
from litestar.exceptions import ValidationException
from piccolo.columns.combination import And, Or, Where, WhereRaw
from piccolo.query.methods.select import Select
from piccolo.table import Table

from core.db import is_sqlite
from directory import list_counts
from directory.records import (
    OrganizationRecord,
    ServiceAtLocationRecord,
    ServiceRecord,
    TaxonomyRecord,
    TaxonomyTermRecord,
    as_records,
)
from directory.tables import (
    Capacity,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
)

Condition = Where | And | Or | WhereRaw
METERS_PER_DEGREE = 111_320.0
ListingKind = Literal["organization", "service", "service_at_location", "taxonomy", "taxonomy_term"]
# Facts of an offer that open data publishes as attributes rather than as taxonomy links.
OfferProperty = Literal[
    "district", "wheelchair-accessible", "organization-kind", "free-of-charge", "waitlist-open"
]
ListedRecord = (
    OrganizationRecord
    | ServiceRecord
    | ServiceAtLocationRecord
    | TaxonomyRecord
    | TaxonomyTermRecord
)
KINDS: dict[str, tuple[type[Table], type[Any]]] = {
    "organization": (Organization, OrganizationRecord),
    "service": (Service, ServiceRecord),
    "service_at_location": (ServiceAtLocation, ServiceAtLocationRecord),
    "taxonomy": (Taxonomy, TaxonomyRecord),
    "taxonomy_term": (TaxonomyTerm, TaxonomyTermRecord),
}


class ListingFilter(msgspec.Struct, frozen=True):
    """Which records a list holds; the empty filter lists every live record.

    ``search`` is plain text (no wildcards); ``proximity`` (metres) needs ``postcode``.
    """

    search: str | None = None
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    modified_after: datetime | None = None
    postcode: str | None = None
    proximity: float | None = None
    parent_id: uuid.UUID | None = None
    top_only: bool = False
    # Offers that have the fact (a district, a yes for the yes/no facts); None: any offer.
    offer_property: OfferProperty | None = None


class ListingPage(msgspec.Struct, frozen=True):
    """One page of a list, and how many records the whole list holds."""

    total: int
    total_pages: int
    records: list[Any]


def _contains(text: str, *columns: Any) -> Condition:
    """Any of ``columns`` contains ``text``, ignoring case (SQLite's LIKE already does)."""
    pattern = f"%{text}%"
    matches = [c.like(pattern) if is_sqlite() else c.ilike(pattern) for c in columns]
    combined = matches[0]
    for match in matches[1:]:
        combined = combined | match
    return combined


def _all(conditions: list[Condition]) -> Condition | None:
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = combined & condition
    return combined


async def _term_and_descendants(term_id: uuid.UUID) -> list[uuid.UUID]:
    """A category stands for its sub-categories too."""
    children: dict[uuid.UUID, list[uuid.UUID]] = {}
    for row in await TaxonomyTerm.select(TaxonomyTerm.id, TaxonomyTerm.parent):
        if row["parent"] is not None:
            children.setdefault(row["parent"], []).append(row["id"])
    found, pending = [term_id], [term_id]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.append(child)
                pending.append(child)
    return found


async def _locations_near(filters: ListingFilter) -> Select:
    """Locations with the postcode, or within ``proximity`` metres of its centroid."""
    if filters.proximity is None:
        return Location.select(Location.id).where(Location.postal_code == filters.postcode)
    points = await Location.select(Location.latitude, Location.longitude).where(
        (Location.postal_code == filters.postcode)
        & Location.latitude.is_not_null()
        & Location.longitude.is_not_null()
    )
    if not points:
        raise ValidationException(
            f"Lotse knows no location with coordinates in postcode {filters.postcode}"
        )
    lat = sum(p["latitude"] for p in points) / len(points)
    lon = sum(p["longitude"] for p in points) / len(points)
    # Equirectangular distance: exact enough for a city and portable SQL (no trigonometry).
    scale_x = METERS_PER_DEGREE * math.cos(math.radians(lat))
    near = WhereRaw(
        "((latitude - {}) * {}) * ((latitude - {}) * {}) "
        "+ ((longitude - {}) * {}) * ((longitude - {}) * {}) <= {}",
        lat,
        METERS_PER_DEGREE,
        lat,
        METERS_PER_DEGREE,
        lon,
        scale_x,
        lon,
        scale_x,
        filters.proximity * filters.proximity,
    )
    return Location.select(Location.id).where(near)


def _live_locations(condition: Condition) -> Select:
    live = Location.retired_at.is_null() & condition
    return ServiceAtLocation.select(ServiceAtLocation.service).where(
        ServiceAtLocation.location.is_in(Location.select(Location.id).where(live))
    )


def property_condition(name: OfferProperty) -> Condition:
    """Offers that have the fact: published as an attribute on them, their place or capacity."""
    if name == "district":
        return Service.id.is_in(_live_locations(Location.district != ""))
    if name == "wheelchair-accessible":
        return Service.id.is_in(_live_locations(Location.wheelchair_accessible.eq(True)))
    if name == "free-of-charge":
        return Service.free_of_charge.eq(True)
    if name == "waitlist-open":
        return Service.id.is_in(
            Capacity.select(Capacity.service).where(Capacity.waitlist_open.eq(True))
        )
    # Every organisation has a kind ("other" when none was chosen).
    return Service.organization.is_not_null()


async def service_condition(filters: ListingFilter) -> Condition:
    conditions: list[Condition] = [Service.retired_at.is_null()]
    if filters.search:
        conditions.append(
            _contains(filters.search, Service.name, Service.alternate_name, Service.description)
        )
    if filters.taxonomy_term_id:
        terms = await _term_and_descendants(filters.taxonomy_term_id)
        conditions.append(
            Service.id.is_in(
                ServiceTerm.select(ServiceTerm.service).where(ServiceTerm.term.is_in(terms))
            )
        )
    if filters.taxonomy_id:
        conditions.append(
            Service.id.is_in(
                ServiceTerm.select(ServiceTerm.service).where(
                    ServiceTerm.term.is_in(
                        TaxonomyTerm.select(TaxonomyTerm.id).where(
                            TaxonomyTerm.taxonomy == filters.taxonomy_id
                        )
                    )
                )
            )
        )
    if filters.offer_property:
        conditions.append(property_condition(filters.offer_property))
    if filters.organization_id:
        conditions.append(Service.organization == filters.organization_id)
    if filters.modified_after:
        conditions.append(Service.last_modified >= filters.modified_after)
    if filters.postcode:
        conditions.append(
            Service.id.is_in(
                ServiceAtLocation.select(ServiceAtLocation.service).where(
                    ServiceAtLocation.location.is_in(await _locations_near(filters))
                )
            )
        )
    combined = _all(conditions)
    assert combined is not None
    return combined


async def service_at_location_condition(filters: ListingFilter) -> Condition:
    services = Service.select(Service.id).where(await service_condition(filters))
    conditions: list[Condition] = [ServiceAtLocation.service.is_in(services)]
    conditions.append(
        ServiceAtLocation.location.is_in(
            Location.select(Location.id).where(Location.retired_at.is_null())
        )
    )
    combined = _all(conditions)
    assert combined is not None
    return combined


async def organization_condition(filters: ListingFilter) -> Condition:
    conditions: list[Condition] = [Organization.retired_at.is_null()]
    if filters.search:
        conditions.append(
            _contains(
                filters.search,
                Organization.name,
                Organization.alternate_name,
                Organization.description,
            )
        )
    if filters.taxonomy_term_id or filters.taxonomy_id or filters.offer_property:
        offers = ListingFilter(
            taxonomy_term_id=filters.taxonomy_term_id,
            taxonomy_id=filters.taxonomy_id,
            offer_property=filters.offer_property,
        )
        conditions.append(
            Organization.id.is_in(
                Service.select(Service.organization).where(await service_condition(offers))
            )
        )
    combined = _all(conditions)
    assert combined is not None
    return combined


def taxonomy_condition(filters: ListingFilter) -> Condition | None:
    if not filters.search:
        return None
    return _contains(filters.search, Taxonomy.name, Taxonomy.description)


def term_condition(filters: ListingFilter) -> Condition | None:
    conditions: list[Condition] = []
    if filters.search:
        conditions.append(
            _contains(filters.search, TaxonomyTerm.name, TaxonomyTerm.name_en, TaxonomyTerm.code)
        )
    if filters.taxonomy_id:
        conditions.append(TaxonomyTerm.taxonomy == filters.taxonomy_id)
    if filters.parent_id:
        conditions.append(TaxonomyTerm.parent == filters.parent_id)
    if filters.top_only:
        conditions.append(TaxonomyTerm.parent.is_null())
    return _all(conditions)


async def condition(kind: ListingKind, filters: ListingFilter) -> Condition | None:
    """The ``WHERE`` of a list of ``kind``."""
    if kind == "service":
        return await service_condition(filters)
    if kind == "service_at_location":
        return await service_at_location_condition(filters)
    if kind == "organization":
        return await organization_condition(filters)
    if kind == "taxonomy":
        return taxonomy_condition(filters)
    return term_condition(filters)


async def page(kind: ListingKind, filters: ListingFilter, number: int, size: int) -> ListingPage:
    """Page ``number`` (from 1) of ``size`` records, ordered by name (by id where there is none)."""
    table, record = KINDS[kind]
    where = await condition(kind, filters)
    key = table._meta.primary_key
    order = [column for column in table._meta.columns if column._meta.name == "name"] + [key]
    count = table.count()
    query = table.select().order_by(*order).limit(size)
    if where is not None:
        count = count.where(where)
    if number > 1:
        # The offset is walked on the index alone; only the page's rows are read.
        page_keys = table.select(key).order_by(*order).offset((number - 1) * size).limit(size)
        query = query.where(key.is_in(page_keys.where(where) if where is not None else page_keys))
    elif where is not None:
        query = query.where(where)
    total = await list_counts.count(count)
    return ListingPage(total, math.ceil(total / size), as_records(await query, record))


async def count(kind: ListingKind, filters: ListingFilter) -> int:
    table, _record = KINDS[kind]
    where = await condition(kind, filters)
    query = table.count()
    return int(await (query.where(where) if where is not None else query))


async def batches(
    kind: ListingKind, filters: ListingFilter, size: int
) -> AsyncIterator[list[Any]]:
    """Every record of the list, in batches of ``size`` ordered by id."""
    table, record = KINDS[kind]
    where = await condition(kind, filters)
    key = table._meta.primary_key
    last: uuid.UUID | None = None
    while True:
        query = table.select().order_by(key).limit(size)
        current = where
        if last is not None:
            current = (key > last) if current is None else current & (key > last)
        if current is not None:
            query = query.where(current)
        rows = await query
        if not rows:
            return
        yield as_records(rows, record)
        last = rows[-1]["id"]


async def one(kind: ListingKind, record_id: uuid.UUID) -> Any | None:
    """The record, if the unfiltered list of ``kind`` holds it (live, at a live location)."""
    table, record = KINDS[kind]
    where = await condition(kind, ListingFilter())
    match = table._meta.primary_key == record_id
    row = await table.select().where(match if where is None else match & where).first()
    return as_records([row], record)[0] if row is not None else None
