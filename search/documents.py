"""Builds the search documents of offers from the directory (the source of truth): the one
place that turns an offer into what search indexes.

Weekly open intervals and the next course start come from the calendars domain when it is
installed; without it the documents simply lack them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from core.batches import chunks
from directory import api as directory
from search.engine import OfferDocument, OfferLocation, OfferTranslation

# One batch of offers: one query per directory table (and a few for schedules) per batch.
CHUNK = 500
# Target groups are the terms of this taxonomy (or with this code prefix); all others are
# categories.
TARGET_GROUP_TAXONOMY = "Zielgruppen"
TARGET_GROUP_PREFIX = "zielgruppe."


async def _schedules(
    service_ids: list[UUID],
) -> tuple[dict[UUID, list[tuple[int, int]]], dict[UUID, date | None]]:
    try:
        from calendars import api as calendars_api
    except ImportError:  # calendars not installed: documents go without hours and starts
        return {}, {}
    # Side by side: a change reaches search sooner when its reads overlap.
    intervals, starts = await asyncio.gather(
        _maybe_await(calendars_api.open_intervals_for_services(service_ids)),
        _maybe_await(calendars_api.next_course_starts(service_ids)),
    )
    return dict(intervals), dict(starts)


async def _maybe_await(value: Any) -> Any:
    if hasattr(value, "__await__"):
        return await value
    return value


class TermTree:
    """Every taxonomy term with its parent, to add parents and tell target groups apart."""

    def __init__(self, terms: list[directory.TermNode]) -> None:
        self.terms = {term.id: term for term in terms}

    @classmethod
    async def load(cls) -> TermTree:
        return cls(await directory.taxonomy_terms())

    def is_target_group(self, term_id: UUID) -> bool:
        term = self.terms[term_id]
        return term.code.startswith(TARGET_GROUP_PREFIX) or term.taxonomy == TARGET_GROUP_TAXONOMY

    def with_parents(self, term_id: UUID) -> list[directory.TermNode]:
        chain: list[directory.TermNode] = []
        current: UUID | None = term_id
        while current is not None and current in self.terms and len(chain) < 20:
            term = self.terms[current]
            chain.append(term)
            current = term.parent_id
        return chain


async def build_documents(
    service_ids: Sequence[UUID], terms: TermTree | None = None
) -> dict[UUID, OfferDocument]:
    """The documents of those offers that belong in search (the listed ones); the others are
    left out."""
    result: dict[UUID, OfferDocument] = {}
    for chunk in chunks(list(dict.fromkeys(service_ids))):
        # The offers, their schedules (of unlisted offers too, which costs nothing) and the
        # taxonomy are read side by side.
        offers, (intervals, starts), tree = await asyncio.gather(
            directory.listed_offers(chunk), _schedules(chunk), _tree(terms))
        terms = tree
        if not offers:
            continue
        for offer in offers:
            result[offer.id] = _document(
                offer, tree, intervals.get(offer.id, []), starts.get(offer.id)
            )
    return result


async def _tree(known: TermTree | None) -> TermTree:
    return known if known is not None else await TermTree.load()


def _location(place: directory.OfferPlace) -> OfferLocation:
    return OfferLocation(
        id=place.id,
        name=place.name,
        address=" ".join(part for part in (place.address_1, place.postal_code) if part),
        postal_code=place.postal_code,
        city=place.city,
        district=place.district,
        latitude=place.latitude,
        longitude=place.longitude,
        wheelchair_accessible=place.wheelchair_accessible,
    )


def _cost_text(offer: directory.OfferRecord) -> str:
    parts = [offer.fees_description]
    for cost in offer.costs:
        amount = f"{cost.amount:.2f} {cost.currency}" if cost.amount is not None else ""
        parts.append(" ".join(p for p in (cost.option, amount, cost.amount_description) if p))
    return "; ".join(p for p in parts if p)


def _document(
    offer: directory.OfferRecord,
    tree: TermTree,
    intervals: list[tuple[int, int]],
    next_start: date | None,
) -> OfferDocument:
    categories: dict[str, list[str]] = {}
    groups: dict[str, list[str]] = {}
    for term_id in offer.term_ids:
        if term_id not in tree.terms:
            continue
        target = groups if tree.is_target_group(term_id) else categories
        for term in tree.with_parents(term_id):
            target[term.code] = [n for n in (term.name, term.name_en) if n]
    locations = [_location(place) for place in offer.places]
    capacity = offer.capacity
    return OfferDocument(
        id=offer.id,
        name=offer.name,
        alternate_name=offer.alternate_name,
        description=offer.description,
        translations=[
            OfferTranslation(language=t.language, name=t.name, description=t.description)
            for t in offer.translations
        ],
        organization_id=offer.organization_id,
        organization_name=offer.organization_name,
        categories=list(categories),
        category_names=[name for names in categories.values() for name in names],
        target_groups=list(groups),
        target_group_names=[name for names in groups.values() for name in names],
        languages=list(dict.fromkeys(offer.languages)),
        districts=sorted({loc.district for loc in locations if loc.district}),
        locations=locations,
        free_of_charge=offer.free_of_charge,
        cost_description=_cost_text(offer),
        barrier_free=any(loc.wheelchair_accessible for loc in locations),
        accessibility="; ".join(
            p.accessibility_description for p in offer.places if p.accessibility_description
        ),
        minimum_age=offer.minimum_age,
        maximum_age=offer.maximum_age,
        free_places=capacity.available if capacity else None,
        maximum_places=capacity.maximum if capacity else None,
        capacity_unit=capacity.unit if capacity else "",
        waitlist_open=capacity.waitlist_open if capacity else False,
        capacity_confirmed=capacity.updated.date() if capacity and capacity.updated else None,
        next_start=next_start,
        open_intervals=[(int(a), int(b)) for a, b in intervals],
        status=offer.status,
    )


async def services_of_organization(organization_id: UUID) -> list[UUID]:
    return await directory.offer_ids_of_organization(organization_id)


async def services_at_location(location_id: UUID) -> list[UUID]:
    return await directory.services_at_location(location_id)


async def count_services() -> int:
    return await directory.count_offers()


async def all_documents(batch: int = CHUNK) -> AsyncIterator[tuple[int, list[OfferDocument]]]:
    """Every offer that belongs in search, in batches (ordered by id, so memory stays flat),
    each with the number of offers it looked at."""
    tree = await TermTree.load()
    last: UUID | None = None
    while ids := await directory.offer_ids_after(last, batch):
        last = ids[-1]
        built = await build_documents(ids, tree)
        yield len(ids), list(built.values())
