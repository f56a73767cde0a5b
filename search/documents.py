"""Builds the search documents of offers from the directory tables (the source of truth).

Weekly open intervals and the next course start come from the calendars domain when it is
installed; without it the documents simply lack them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from directory.tables import (
    Capacity,
    CostOption,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTerm,
    ServiceTranslation,
    TaxonomyTerm,
)
from search.engine import OfferDocument, OfferLocation, OfferTranslation

# Offers in these states are not shown in search.
HIDDEN_STATUSES = ("inactive", "defunct")
CHUNK = 500
# Target groups are the terms of this taxonomy (or with this code prefix); all others are
# categories.
TARGET_GROUP_TAXONOMY = "Zielgruppen"
TARGET_GROUP_PREFIX = "zielgruppe."


def _chunks(ids: Sequence[UUID]) -> Iterable[list[UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


async def _schedules(
    service_ids: list[UUID],
) -> tuple[dict[UUID, list[tuple[int, int]]], dict[UUID, date | None]]:
    try:
        from calendars import api as calendars_api
    except ImportError:  # calendars not installed: documents go without hours and starts
        return {}, {}
    intervals = await _maybe_await(calendars_api.open_intervals_for_services(service_ids))
    starts = await _maybe_await(calendars_api.next_course_starts(service_ids))
    return dict(intervals), dict(starts)


async def _maybe_await(value: Any) -> Any:
    if hasattr(value, "__await__"):
        return await value
    return value


class TermTree:
    """Every taxonomy term with its parent, to add parents and tell target groups apart."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = {row["id"]: row for row in rows}

    @classmethod
    async def load(cls) -> TermTree:
        rows = await TaxonomyTerm.select(
            TaxonomyTerm.id,
            TaxonomyTerm.code,
            TaxonomyTerm.name,
            TaxonomyTerm.name_en,
            TaxonomyTerm.parent,
            TaxonomyTerm.taxonomy.name,
        )
        return cls(rows)

    def is_target_group(self, term_id: UUID) -> bool:
        row = self.rows[term_id]
        return str(row["code"]).startswith(TARGET_GROUP_PREFIX) or (
            row["taxonomy.name"] == TARGET_GROUP_TAXONOMY
        )

    def with_parents(self, term_id: UUID) -> list[dict[str, Any]]:
        chain: list[dict[str, Any]] = []
        current: UUID | None = term_id
        while current is not None and current in self.rows and len(chain) < 20:
            row = self.rows[current]
            chain.append(row)
            current = row["parent"]
        return chain


def _by_service(rows: Iterable[dict[str, Any]]) -> dict[UUID, list[dict[str, Any]]]:
    grouped: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["service"]].append(row)
    return grouped


async def build_documents(
    service_ids: Sequence[UUID], terms: TermTree | None = None
) -> dict[UUID, OfferDocument]:
    """The documents of those offers that belong in search; the others are left out."""
    result: dict[UUID, OfferDocument] = {}
    tree = terms or await TermTree.load()
    for chunk in _chunks(list(dict.fromkeys(service_ids))):
        result.update(await _build_chunk(chunk, tree))
    return result


async def _build_chunk(ids: list[UUID], tree: TermTree) -> dict[UUID, OfferDocument]:
    services = await Service.select(
        Service.id,
        Service.name,
        Service.alternate_name,
        Service.description,
        Service.organization,
        Service.organization.name,
        Service.organization.retired_at,
        Service.free_of_charge,
        Service.fees_description,
        Service.minimum_age,
        Service.maximum_age,
        Service.status,
    ).where(
        Service.id.is_in(ids)
        & Service.retired_at.is_null()
        & Service.status.not_in(list(HIDDEN_STATUSES))
    )
    services = [s for s in services if s["organization.retired_at"] is None]
    if not services:
        return {}
    ids = [s["id"] for s in services]
    translations = _by_service(
        await ServiceTranslation.select(
            ServiceTranslation.service,
            ServiceTranslation.language,
            ServiceTranslation.name,
            ServiceTranslation.description,
        ).where(ServiceTranslation.service.is_in(ids))
    )
    places = _by_service(
        await ServiceAtLocation.select(
            ServiceAtLocation.service,
            *ServiceAtLocation.location.all_columns(),
        ).where(
            ServiceAtLocation.service.is_in(ids) & ServiceAtLocation.location.retired_at.is_null()
        )
    )
    languages = _by_service(
        await ServiceLanguage.select(ServiceLanguage.service, ServiceLanguage.code).where(
            ServiceLanguage.service.is_in(ids)
        )
    )
    links = _by_service(
        await ServiceTerm.select(ServiceTerm.service, ServiceTerm.term).where(
            ServiceTerm.service.is_in(ids)
        )
    )
    costs = _by_service(
        await CostOption.select(
            CostOption.service,
            CostOption.option,
            CostOption.amount,
            CostOption.currency,
            CostOption.amount_description,
        ).where(CostOption.service.is_in(ids))
    )
    capacities = {
        row["service"]: row
        for row in await Capacity.select(
            Capacity.service,
            Capacity.unit,
            Capacity.maximum,
            Capacity.available,
            Capacity.waitlist_open,
            Capacity.updated,
        ).where(Capacity.service.is_in(ids))
    }
    intervals, starts = await _schedules(ids)
    documents: dict[UUID, OfferDocument] = {}
    for service in services:
        sid = service["id"]
        documents[sid] = _document(
            service,
            translations=translations.get(sid, []),
            places=places.get(sid, []),
            languages=[row["code"] for row in languages.get(sid, [])],
            term_ids=[row["term"] for row in links.get(sid, [])],
            costs=costs.get(sid, []),
            capacity=capacities.get(sid),
            tree=tree,
            intervals=intervals.get(sid, []),
            next_start=starts.get(sid),
        )
    return documents


def _location(row: dict[str, Any]) -> OfferLocation:
    prefix = "location."
    address = " ".join(
        part for part in (row[f"{prefix}address_1"], row[f"{prefix}postal_code"]) if part
    )
    return OfferLocation(
        id=row[f"{prefix}id"],
        name=row[f"{prefix}name"] or "",
        address=address,
        postal_code=row[f"{prefix}postal_code"] or "",
        city=row[f"{prefix}city"] or "",
        district=row[f"{prefix}district"] or "",
        latitude=row[f"{prefix}latitude"],
        longitude=row[f"{prefix}longitude"],
        wheelchair_accessible=bool(row[f"{prefix}wheelchair_accessible"]),
    )


def _cost_text(service: dict[str, Any], costs: list[dict[str, Any]]) -> str:
    parts = [service["fees_description"] or ""]
    for cost in costs:
        amount = ""
        if cost["amount"] is not None:
            amount = f"{Decimal(cost['amount']):.2f} {cost['currency']}"
        parts.append(" ".join(p for p in (cost["option"], amount, cost["amount_description"]) if p))
    return "; ".join(p for p in parts if p)


def _document(
    service: dict[str, Any],
    *,
    translations: list[dict[str, Any]],
    places: list[dict[str, Any]],
    languages: list[str],
    term_ids: list[UUID],
    costs: list[dict[str, Any]],
    capacity: dict[str, Any] | None,
    tree: TermTree,
    intervals: list[tuple[int, int]],
    next_start: date | None,
) -> OfferDocument:
    categories: dict[str, list[str]] = {}
    groups: dict[str, list[str]] = {}
    for term_id in term_ids:
        if term_id not in tree.rows:
            continue
        target = groups if tree.is_target_group(term_id) else categories
        for row in tree.with_parents(term_id):
            target[row["code"]] = [n for n in (row["name"], row["name_en"]) if n]
    locations = [_location(row) for row in places]
    confirmed = capacity["updated"].date() if capacity and capacity["updated"] else None
    accessibility = "; ".join(
        row["location.accessibility_description"]
        for row in places
        if row["location.accessibility_description"]
    )
    return OfferDocument(
        id=service["id"],
        name=service["name"],
        alternate_name=service["alternate_name"] or "",
        description=service["description"] or "",
        translations=[
            OfferTranslation(language=t["language"], name=t["name"], description=t["description"])
            for t in translations
        ],
        organization_id=service["organization"],
        organization_name=service["organization.name"] or "",
        categories=list(categories),
        category_names=[name for names in categories.values() for name in names],
        target_groups=list(groups),
        target_group_names=[name for names in groups.values() for name in names],
        languages=list(dict.fromkeys(languages)),
        districts=sorted({loc.district for loc in locations if loc.district}),
        locations=locations,
        free_of_charge=bool(service["free_of_charge"]),
        cost_description=_cost_text(service, costs),
        barrier_free=any(loc.wheelchair_accessible for loc in locations),
        accessibility=accessibility,
        minimum_age=service["minimum_age"],
        maximum_age=service["maximum_age"],
        free_places=capacity["available"] if capacity else None,
        maximum_places=capacity["maximum"] if capacity else None,
        capacity_unit=capacity["unit"] if capacity else "",
        waitlist_open=bool(capacity["waitlist_open"]) if capacity else False,
        capacity_confirmed=confirmed,
        next_start=next_start,
        open_intervals=[(int(a), int(b)) for a, b in intervals],
        status=service["status"],
    )


async def services_of_organization(organization_id: UUID) -> list[UUID]:
    rows = await Service.select(Service.id).where(Service.organization == organization_id)
    return [row["id"] for row in rows]


async def services_at_location(location_id: UUID) -> list[UUID]:
    rows = await ServiceAtLocation.select(ServiceAtLocation.service).where(
        ServiceAtLocation.location == location_id
    )
    return [row["service"] for row in rows]


async def count_services() -> int:
    return int(await Service.count())


async def all_documents(batch: int = CHUNK) -> AsyncIterator[tuple[int, list[OfferDocument]]]:
    """Every offer that belongs in search, in batches (ordered by id, so memory stays flat),
    each with the number of offers it looked at."""
    tree = await TermTree.load()
    last: UUID | None = None
    while True:
        query = Service.select(Service.id).order_by(Service.id).limit(batch)
        if last is not None:
            query = query.where(Service.id > last)
        rows = await query
        if not rows:
            return
        last = rows[-1]["id"]
        built = await build_documents([row["id"] for row in rows], tree)
        yield len(rows), list(built.values())
