"""Writes many made-up offers at once, for benchmarks that need a large network in the
database (search with 100,000 offers, calendars with thousands).

Plain inserts in batches, without the checks and events of `directory.services`: the callers
build consistent data themselves and index or schedule it afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from core.db import atomic
from directory.offer_records import OfferText
from directory.tables import (
    Capacity,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTerm,
    ServiceTranslation,
    Taxonomy,
    TaxonomyTerm,
)


class SeedTerm(msgspec.Struct, frozen=True):
    id: UUID
    code: str
    name: str
    parent_id: UUID | None = None


class SeedTaxonomy(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    terms: list[SeedTerm]


class SeedPlace(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    address_1: str = ""
    city: str = ""
    district: str = ""
    latitude: float | None = None
    longitude: float | None = None
    wheelchair_accessible: bool = False


class SeedCapacity(msgspec.Struct, frozen=True):
    maximum: int
    available: int
    waitlist_open: bool
    updated: datetime


class SeedOffer(msgspec.Struct, frozen=True):
    """An offer with its provider (created on first use) and what hangs on it."""

    id: UUID
    organization_id: UUID
    organization_name: str
    name: str
    description: str = ""
    free_of_charge: bool = True
    minimum_age: int | None = None
    maximum_age: int | None = None
    places: list[SeedPlace] = []
    languages: list[str] = []
    term_ids: list[UUID] = []
    translations: list[OfferText] = []
    capacity: SeedCapacity | None = None


async def seed_taxonomies(taxonomies: Sequence[SeedTaxonomy]) -> None:
    """Insert the taxonomies with their terms, parents before children."""
    terms = [(taxonomy.id, term) for taxonomy in taxonomies for term in taxonomy.terms]
    written: set[UUID] = set()
    async with atomic():
        await Taxonomy.insert(*[Taxonomy(id=t.id, name=t.name) for t in taxonomies])
        while terms:
            ready = [(tax, t) for tax, t in terms if t.parent_id is None or t.parent_id in written]
            if not ready:
                raise ValueError("a term's parent is missing")
            await TaxonomyTerm.insert(
                *[
                    TaxonomyTerm(
                        id=t.id, taxonomy=tax, code=t.code, name=t.name, parent=t.parent_id
                    )
                    for tax, t in ready
                ]
            )
            written.update(t.id for _tax, t in ready)
            terms = [(tax, t) for tax, t in terms if t.id not in written]


def _rows(offer: SeedOffer) -> dict[type[Any], list[Any]]:
    return {
        Service: [
            Service(
                id=offer.id,
                organization=offer.organization_id,
                name=offer.name,
                description=offer.description,
                free_of_charge=offer.free_of_charge,
                minimum_age=offer.minimum_age,
                maximum_age=offer.maximum_age,
            )
        ],
        Location: [
            Location(
                id=place.id,
                organization=offer.organization_id,
                name=place.name,
                address_1=place.address_1,
                city=place.city,
                district=place.district,
                latitude=place.latitude,
                longitude=place.longitude,
                wheelchair_accessible=place.wheelchair_accessible,
            )
            for place in offer.places
        ],
        ServiceAtLocation: [
            ServiceAtLocation(service=offer.id, location=place.id) for place in offer.places
        ],
        ServiceLanguage: [ServiceLanguage(service=offer.id, code=c) for c in offer.languages],
        ServiceTerm: [ServiceTerm(service=offer.id, term=t) for t in offer.term_ids],
        ServiceTranslation: [
            ServiceTranslation(
                service=offer.id, language=t.language, name=t.name, description=t.description
            )
            for t in offer.translations
        ],
        Capacity: []
        if offer.capacity is None
        else [
            Capacity(
                service=offer.id,
                maximum=offer.capacity.maximum,
                available=offer.capacity.available,
                waitlist_open=offer.capacity.waitlist_open,
                updated=offer.capacity.updated,
            )
        ],
    }


async def seed_offers(offers: Sequence[SeedOffer]) -> int:
    """Insert the offers (a batch of a few hundred) in one transaction; providers that do not
    exist yet are created with the name given. Returns the number of offers written."""
    if not offers:
        return 0
    names = {offer.organization_id: offer.organization_name for offer in offers}
    existing = {
        row["id"]
        for row in await Organization.select(Organization.id).where(
            Organization.id.is_in(list(names))
        )
    }
    tables: dict[type[Any], list[Any]] = {}
    for offer in offers:
        for table, rows in _rows(offer).items():
            tables.setdefault(table, []).extend(rows)
    async with atomic():
        new = [Organization(id=i, name=name) for i, name in names.items() if i not in existing]
        if new:
            await Organization.insert(*new)
        for table, rows in tables.items():
            if rows:
                await table.insert(*rows)
    return len(offers)
