"""Writes made-up offers (from `search.synthetic`) into the directory tables, in bulk.

For the search benchmark: the database then holds what the index is built from, and a
capacity change can travel the real way (table, outbox, index).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time
from typing import Any

from core.db import atomic
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
from search import synthetic
from search.engine import OfferDocument

BATCH = 500
NAMESPACE = uuid.UUID("0b8f6f3e-61b1-4a53-8a3c-9e2cf0a5b7d4")


def stable_id(kind: str, key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{kind}:{key}")


async def write_taxonomy() -> dict[str, uuid.UUID]:
    """The synthetic categories and target groups; term ids by code."""
    categories = Taxonomy(id=stable_id("taxonomy", "categories"), name="Lotse-Kategorien")
    groups = Taxonomy(id=stable_id("taxonomy", "groups"), name="Zielgruppen")
    terms: dict[str, uuid.UUID] = {}
    rows: list[TaxonomyTerm] = []
    for code, parent, name in synthetic.CATEGORIES:
        terms[code] = stable_id("term", code)
        rows.append(
            TaxonomyTerm(
                id=terms[code],
                taxonomy=categories.id,
                code=code,
                name=name,
                parent=terms[parent] if parent else None,
            )
        )
    for code, name in synthetic.TARGET_GROUPS:
        full = f"zielgruppe.{code}"
        terms[code] = stable_id("term", full)
        rows.append(TaxonomyTerm(id=terms[code], taxonomy=groups.id, code=full, name=name))
    async with atomic():
        await Taxonomy.insert(categories, groups)
        await TaxonomyTerm.insert(*[r for r in rows if r.parent is None])
        await TaxonomyTerm.insert(*[r for r in rows if r.parent is not None])
    return terms


def _rows(
    document: OfferDocument, terms: dict[str, uuid.UUID], organizations: dict[str, uuid.UUID]
) -> dict[str, list[Any]]:
    org = organizations[document.organization_name]
    confirmed = document.capacity_confirmed
    rows: dict[str, list[Any]] = {
        "service": [
            Service(
                id=document.id,
                organization=org,
                name=document.name,
                description=document.description,
                free_of_charge=document.free_of_charge,
                minimum_age=document.minimum_age,
                maximum_age=document.maximum_age,
            )
        ],
        "location": [],
        "link": [],
        "language": [],
        "term": [],
        "translation": [],
        "capacity": [],
    }
    for n, loc in enumerate(document.locations):
        location_id = stable_id("location", f"{document.id}:{n}")
        rows["location"].append(
            Location(
                id=location_id,
                organization=org,
                name=loc.name,
                address_1=loc.address,
                city=loc.city,
                district=loc.district,
                latitude=loc.latitude,
                longitude=loc.longitude,
                wheelchair_accessible=loc.wheelchair_accessible,
            )
        )
        rows["link"].append(ServiceAtLocation(service=document.id, location=location_id))
    rows["language"] = [ServiceLanguage(service=document.id, code=c) for c in document.languages]
    # The leaf category and target groups; parents come from the taxonomy tree.
    codes = [document.categories[0], *document.target_groups]
    rows["term"] = [ServiceTerm(service=document.id, term=terms[c]) for c in codes]
    rows["translation"] = [
        ServiceTranslation(service=document.id, language=t.language, name=t.name)
        for t in document.translations
    ]
    if document.maximum_places is not None:
        rows["capacity"].append(
            Capacity(
                service=document.id,
                maximum=document.maximum_places,
                available=document.free_places or 0,
                waitlist_open=document.waitlist_open,
                updated=(
                    datetime.combine(confirmed, time(9), tzinfo=UTC)
                    if confirmed
                    else datetime.now(UTC)
                ),
            )
        )
    return rows


async def write_offers(
    documents: Iterable[OfferDocument],
    terms: dict[str, uuid.UUID],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert the offers with their organisations, locations, languages, terms, capacity."""
    organizations: dict[str, uuid.UUID] = {}
    batch: list[OfferDocument] = []
    written = 0

    async def flush() -> None:
        new_orgs = []
        for document in batch:
            name = document.organization_name
            if name not in organizations:
                organizations[name] = stable_id("organization", name)
                new_orgs.append(Organization(id=organizations[name], name=name))
        tables: dict[str, list[Any]] = {}
        for document in batch:
            for kind, rows in _rows(document, terms, organizations).items():
                tables.setdefault(kind, []).extend(rows)
        async with atomic():
            if new_orgs:
                await Organization.insert(*new_orgs)
            for kind, table in (
                ("service", Service),
                ("location", Location),
                ("link", ServiceAtLocation),
                ("language", ServiceLanguage),
                ("term", ServiceTerm),
                ("translation", ServiceTranslation),
                ("capacity", Capacity),
            ):
                if tables.get(kind):
                    await table.insert(*tables[kind])

    for document in documents:
        batch.append(document)
        if len(batch) == BATCH:
            await flush()
            written += len(batch)
            if progress is not None:
                progress(len(batch))
            batch = []
    if batch:
        await flush()
        written += len(batch)
        if progress is not None:
            progress(len(batch))
    return written
