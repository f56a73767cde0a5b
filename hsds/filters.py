"""The filters of the HSDS API, checked and turned into queries (all combined with AND)."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import ValidationException
from piccolo.columns.combination import And, Or, Where, WhereRaw
from piccolo.query.methods.select import Select

from core.db import is_sqlite
from directory.tables import (
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
MAX_PROXIMITY = 500_000.0


@dataclass(frozen=True)
class Filters:
    search: str | None = None
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    modified_after: datetime | None = None
    postcode: str | None = None
    proximity: float | None = None
    parent_id: uuid.UUID | None = None
    top_only: bool = False


def _uuid(name: str, value: str | None) -> uuid.UUID | None:
    if value is None or not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise ValidationException(f"{name} must be a UUID, got {value!r}") from None


def parse_filters(
    *,
    search: str | None = None,
    taxonomy_term_id: str | None = None,
    taxonomy_id: str | None = None,
    organization_id: str | None = None,
    modified_after: str | None = None,
    postcode: str | None = None,
    proximity: str | None = None,
    parent_id: str | None = None,
    top_only: bool = False,
) -> Filters:
    """Checked filters; a wrong value answers 400 with what to send instead."""
    after = None
    if modified_after:
        try:
            after = datetime.fromisoformat(modified_after.strip().replace(" ", "+"))
        except ValueError:
            raise ValidationException(
                f"modified_after must be an ISO 8601 date and time, got {modified_after!r}"
            ) from None
        after = after.replace(tzinfo=UTC) if after.tzinfo is None else after
    distance = None
    if proximity not in (None, ""):
        try:
            distance = float(proximity)
        except ValueError:
            raise ValidationException(f"proximity must be metres, got {proximity!r}") from None
        if not 0 < distance <= MAX_PROXIMITY:
            raise ValidationException(f"proximity must be between 1 and {MAX_PROXIMITY:.0f}")
        if not postcode:
            raise ValidationException("proximity needs a postcode to measure from")
    text = " ".join((search or "").replace("%", " ").replace("_", " ").split())
    return Filters(
        search=text or None,
        taxonomy_term_id=_uuid("taxonomy_term_id", taxonomy_term_id),
        taxonomy_id=_uuid("taxonomy_id", taxonomy_id),
        organization_id=_uuid("organization_id", organization_id),
        modified_after=after,
        postcode=(postcode or "").strip() or None,
        proximity=distance,
        parent_id=_uuid("parent_id", parent_id),
        top_only=top_only,
    )


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


async def _locations_near(filters: Filters) -> Select:
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


async def service_condition(filters: Filters) -> Condition:
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


async def service_at_location_condition(filters: Filters) -> Condition:
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


async def organization_condition(filters: Filters) -> Condition:
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
    if filters.taxonomy_term_id or filters.taxonomy_id:
        offers = Filters(taxonomy_term_id=filters.taxonomy_term_id, taxonomy_id=filters.taxonomy_id)
        conditions.append(
            Organization.id.is_in(
                Service.select(Service.organization).where(await service_condition(offers))
            )
        )
    combined = _all(conditions)
    assert combined is not None
    return combined


def taxonomy_condition(filters: Filters) -> Condition | None:
    if not filters.search:
        return None
    return _contains(filters.search, Taxonomy.name, Taxonomy.description)


def term_condition(filters: Filters) -> Condition | None:
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
