"""Reads listed offers whole (texts, places, languages, terms, costs, capacity) and the taxonomy,
for domains that keep their own copy of the directory, like the search index.

Batched: one IN query per table for up to `core.batches.IN_LIST` offers, never one query per
offer, because search re-reads every offer of the network when it rebuilds its index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from core.batches import chunks
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

# Offers in these states are not listed (and so not searchable).
HIDDEN_STATUSES = ("inactive", "defunct")


class TermNode(msgspec.Struct, frozen=True):
    """One taxonomy term with its parent, so a reader can walk up the tree."""

    id: UUID
    code: str
    name: str
    name_en: str
    parent_id: UUID | None
    taxonomy: str


class OfferText(msgspec.Struct, frozen=True):
    language: str
    name: str
    description: str


class OfferPlace(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    address_1: str
    postal_code: str
    city: str
    district: str
    latitude: float | None
    longitude: float | None
    wheelchair_accessible: bool
    accessibility_description: str


class OfferCost(msgspec.Struct, frozen=True):
    option: str
    amount: Decimal | None
    currency: str
    amount_description: str


class OfferCapacity(msgspec.Struct, frozen=True):
    unit: str
    maximum: int
    available: int
    waitlist_open: bool
    updated: datetime | None


class OfferRecord(msgspec.Struct, frozen=True):
    """A listed offer with everything a copy of it needs; places not retired only."""

    id: UUID
    name: str
    alternate_name: str
    description: str
    organization_id: UUID
    organization_name: str
    status: str
    free_of_charge: bool
    fees_description: str
    minimum_age: int | None
    maximum_age: int | None
    translations: list[OfferText]
    places: list[OfferPlace]
    languages: list[str]
    term_ids: list[UUID]
    costs: list[OfferCost]
    capacity: OfferCapacity | None


def _by_service(rows: Iterable[dict[str, Any]]) -> dict[UUID, list[dict[str, Any]]]:
    grouped: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["service"]].append(row)
    return grouped


async def taxonomy_terms() -> list[TermNode]:
    rows = await TaxonomyTerm.select(
        TaxonomyTerm.id,
        TaxonomyTerm.code,
        TaxonomyTerm.name,
        TaxonomyTerm.name_en,
        TaxonomyTerm.parent,
        TaxonomyTerm.taxonomy.name,
    )
    return [
        TermNode(
            id=row["id"],
            code=row["code"],
            name=row["name"],
            name_en=row["name_en"] or "",
            parent_id=row["parent"],
            taxonomy=row["taxonomy.name"] or "",
        )
        for row in rows
    ]


async def listed_offers(service_ids: Sequence[UUID]) -> list[OfferRecord]:
    """The offers among these that are listed (not retired, not inactive or defunct, their
    provider not retired); the others are left out."""
    found: list[OfferRecord] = []
    for chunk in chunks(list(dict.fromkeys(service_ids))):
        found.extend(await _listed_chunk(chunk))
    return found


async def _listed_chunk(ids: list[UUID]) -> list[OfferRecord]:
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
        return []
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
    return [
        _record(
            service,
            translations=translations.get(service["id"], []),
            places=places.get(service["id"], []),
            languages=languages.get(service["id"], []),
            links=links.get(service["id"], []),
            costs=costs.get(service["id"], []),
            capacity=capacities.get(service["id"]),
        )
        for service in services
    ]


def _place(row: dict[str, Any]) -> OfferPlace:
    def text(name: str) -> str:
        return str(row[f"location.{name}"] or "")

    return OfferPlace(
        id=row["location.id"],
        name=text("name"),
        address_1=text("address_1"),
        postal_code=text("postal_code"),
        city=text("city"),
        district=text("district"),
        latitude=row["location.latitude"],
        longitude=row["location.longitude"],
        wheelchair_accessible=bool(row["location.wheelchair_accessible"]),
        accessibility_description=text("accessibility_description"),
    )


def _record(
    service: dict[str, Any],
    *,
    translations: list[dict[str, Any]],
    places: list[dict[str, Any]],
    languages: list[dict[str, Any]],
    links: list[dict[str, Any]],
    costs: list[dict[str, Any]],
    capacity: dict[str, Any] | None,
) -> OfferRecord:
    return OfferRecord(
        id=service["id"],
        name=service["name"],
        alternate_name=service["alternate_name"] or "",
        description=service["description"] or "",
        organization_id=service["organization"],
        organization_name=service["organization.name"] or "",
        status=service["status"],
        free_of_charge=bool(service["free_of_charge"]),
        fees_description=service["fees_description"] or "",
        minimum_age=service["minimum_age"],
        maximum_age=service["maximum_age"],
        translations=[
            OfferText(language=t["language"], name=t["name"], description=t["description"])
            for t in translations
        ],
        places=[_place(row) for row in places],
        languages=[row["code"] for row in languages],
        term_ids=[row["term"] for row in links],
        costs=[
            OfferCost(
                option=c["option"] or "",
                amount=None if c["amount"] is None else Decimal(c["amount"]),
                currency=c["currency"] or "",
                amount_description=c["amount_description"] or "",
            )
            for c in costs
        ],
        capacity=None
        if capacity is None
        else OfferCapacity(
            unit=capacity["unit"] or "",
            maximum=capacity["maximum"],
            available=capacity["available"],
            waitlist_open=bool(capacity["waitlist_open"]),
            updated=capacity["updated"],
        ),
    )


async def offer_ids_after(last: UUID | None, limit: int) -> list[UUID]:
    """Ids of every offer (listed or not) after `last` in id order: pages through all of them
    with flat memory."""
    query = Service.select(Service.id).order_by(Service.id).limit(limit)
    if last is not None:
        query = query.where(Service.id > last)
    return [row["id"] for row in await query]


async def count_offers() -> int:
    """Every offer, listed or not."""
    return int(await Service.count())


async def offer_ids_of_organization(organization_id: UUID) -> list[UUID]:
    rows = await Service.select(Service.id).where(Service.organization == organization_id)
    return [row["id"] for row in rows]
