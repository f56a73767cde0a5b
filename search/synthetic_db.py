"""Writes made-up offers (from `search.synthetic`) into the directory, in bulk.

For the search benchmark: the database then holds what the index is built from, and a
capacity change can travel the real way (directory, outbox, index).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time

from directory import api as directory
from search import synthetic
from search.engine import OfferDocument

BATCH = 500
NAMESPACE = uuid.UUID("0b8f6f3e-61b1-4a53-8a3c-9e2cf0a5b7d4")


def stable_id(kind: str, key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{kind}:{key}")


async def write_taxonomy() -> dict[str, uuid.UUID]:
    """The synthetic categories and target groups; term ids by code."""
    terms: dict[str, uuid.UUID] = {}
    categories: list[directory.SeedTerm] = []
    for code, parent, name in synthetic.CATEGORIES:
        terms[code] = stable_id("term", code)
        parent_id = terms[parent] if parent else None
        categories.append(directory.SeedTerm(terms[code], code, name, parent_id))
    groups: list[directory.SeedTerm] = []
    for code, name in synthetic.TARGET_GROUPS:
        full = f"zielgruppe.{code}"
        terms[code] = stable_id("term", full)
        groups.append(directory.SeedTerm(terms[code], full, name))
    await directory.seed_taxonomies(
        [
            directory.SeedTaxonomy(
                stable_id("taxonomy", "categories"), "Lotse-Kategorien", categories
            ),
            directory.SeedTaxonomy(stable_id("taxonomy", "groups"), "Zielgruppen", groups),
        ]
    )
    return terms


def seed_offer(document: OfferDocument, terms: dict[str, uuid.UUID]) -> directory.SeedOffer:
    """The directory rows of a made-up offer: its leaf category and target groups (parents
    come from the taxonomy tree), places, languages, translations and capacity."""
    confirmed = document.capacity_confirmed
    capacity = None
    if document.maximum_places is not None:
        capacity = directory.SeedCapacity(
            maximum=document.maximum_places,
            available=document.free_places or 0,
            waitlist_open=document.waitlist_open,
            updated=(
                datetime.combine(confirmed, time(9), tzinfo=UTC) if confirmed else datetime.now(UTC)
            ),
        )
    return directory.SeedOffer(
        id=document.id,
        organization_id=stable_id("organization", document.organization_name),
        organization_name=document.organization_name,
        name=document.name,
        description=document.description,
        free_of_charge=document.free_of_charge,
        minimum_age=document.minimum_age,
        maximum_age=document.maximum_age,
        places=[
            directory.SeedPlace(
                id=stable_id("location", f"{document.id}:{n}"),
                name=loc.name,
                address_1=loc.address,
                city=loc.city,
                district=loc.district,
                latitude=loc.latitude,
                longitude=loc.longitude,
                wheelchair_accessible=loc.wheelchair_accessible,
            )
            for n, loc in enumerate(document.locations)
        ],
        languages=document.languages,
        term_ids=[terms[c] for c in (document.categories[0], *document.target_groups)],
        translations=[
            directory.OfferText(language=t.language, name=t.name, description="")
            for t in document.translations
        ],
        capacity=capacity,
    )


async def write_offers(
    documents: Iterable[OfferDocument],
    terms: dict[str, uuid.UUID],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert the offers with their organisations, locations, languages, terms, capacity."""
    batch: list[directory.SeedOffer] = []
    written = 0

    async def flush() -> None:
        nonlocal written, batch
        count = await directory.seed_offers(batch)
        written += count
        batch = []
        if progress is not None:
            progress(count)

    for document in documents:
        batch.append(seed_offer(document, terms))
        if len(batch) == BATCH:
            await flush()
    if batch:
        await flush()
    return written
