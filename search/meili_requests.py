"""What Lotse sends to Meilisearch and how it reads the answers (no network here).

The Meilisearch document of an offer carries the filter and sort attributes flat, the text to
match in a few searchable attributes (most important first), the German extras Meilisearch
does not make itself (ae/oe/ue spellings, glued compounds, stems, compound tails), and the
whole offer under "offer" to rebuild hits from.

Meilisearch allows one `_geo` point per document: it holds the offer's first location. Offers
with several locations also carry the grid cells of every location (`geo_cells`), so a radius
filter finds them when any location lies in a cell wholly inside the circle.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from search import compounds, german
from search.embedded_schema import flags_of, title_texts
from search.engine import (
    FACET_NAMES,
    MAX_RESULT_WINDOW,
    OfferDocument,
    SearchHit,
    SearchQuery,
    SearchResult,
    date_to_day,
    open_slots,
    slots_of,
)
from search.geo import cells_of_point, cover, nearest_km

SEARCHABLE = [
    "names",
    "keywords",
    "word_forms",
    "descriptions",
]
FILTERABLE = [
    "id",
    "categories",
    "languages",
    "districts",
    "target_groups",
    "free_of_charge",
    "barrier_free",
    "has_place_or_waitlist",
    "min_age",
    "max_age",
    "open_slots",
    "geo_cells",
    "_geo",
]
SORTABLE = ["free_places", "next_start_day", "_geo"]
# Meilisearch's own order, then the sort parameter, then more free places first.
RANKING_RULES = ["words", "typo", "proximity", "attribute", "sort", "exactness", "free_places:desc"]
NO_PLACES = -1


def index_settings() -> dict[str, Any]:
    return {
        "searchableAttributes": SEARCHABLE,
        "filterableAttributes": FILTERABLE,
        "sortableAttributes": SORTABLE,
        "rankingRules": RANKING_RULES,
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {
                "oneTypo": german.ONE_TYPO_FROM,
                "twoTypos": german.TWO_TYPOS_FROM,
            },
            # Stems and compound tails are already loose: typos on top would find anything.
            "disableOnAttributes": ["word_forms"],
        },
        "synonyms": {word: list(others) for word, others in german.synonym_table().items()},
        "pagination": {"maxTotalHits": MAX_RESULT_WINDOW},
        "faceting": {"maxValuesPerFacet": 1000},
    }


def _word_forms(texts: list[str]) -> list[str]:
    """Spellings Meilisearch does not derive itself: umlaut spellings, glued compounds,
    stems and the tails of long words."""
    forms: list[str] = []
    for text in texts:
        if not text:
            continue
        plain = set(german.words(text))
        for word in german.index_words(text):
            if word not in plain:
                forms.append(word)
            stem = german.stem(word)
            if stem != word:
                forms.append(stem)
            forms.extend(german.parts(word))
            forms.extend(compounds.parts(word))
    return german.unique(forms)


def to_meili(document: OfferDocument) -> dict[str, Any]:
    titles = [t for t in title_texts(document) if t]
    keywords = [
        t
        for t in (
            document.organization_name,
            *document.category_names,
            *document.target_group_names,
            *document.districts,
            *(loc.name for loc in document.locations),
            *(loc.city for loc in document.locations),
        )
        if t
    ]
    descriptions = [
        t
        for t in (
            document.description,
            *(tr.description for tr in document.translations),
            document.cost_description,
            document.accessibility,
            *(loc.address for loc in document.locations),
        )
        if t
    ]
    flags = set(flags_of(document))
    points = document.coordinates()
    result: dict[str, Any] = {
        "id": str(document.id),
        "names": titles,
        "keywords": keywords,
        "word_forms": _word_forms(titles + keywords),
        "descriptions": descriptions,
        "categories": document.categories,
        "languages": document.languages,
        "districts": document.districts,
        "target_groups": document.target_groups,
        "free_of_charge": "free_of_charge" in flags,
        "barrier_free": "barrier_free" in flags,
        "has_place_or_waitlist": "has_place_or_waitlist" in flags,
        "min_age": document.minimum_age if document.minimum_age is not None else 0,
        "max_age": document.maximum_age if document.maximum_age is not None else 200,
        "free_places": document.free_places if document.free_places is not None else NO_PLACES,
        "open_slots": open_slots(document.open_intervals),
        "geo_cells": german.unique(str(c) for lat, lon in points for c in cells_of_point(lat, lon)),
        "offer": msgspec.to_builtins(document),
    }
    if document.next_start is not None:
        result["next_start_day"] = date_to_day(document.next_start)
    if points:
        result["_geo"] = {"lat": points[0][0], "lng": points[0][1]}
    return result


def quoted(value: str) -> str:
    """A string as a Meilisearch filter value: in double quotes, quotes and backslashes escaped."""
    return json.dumps(value, ensure_ascii=False)


def filter_expression(query: SearchQuery) -> list[str]:
    """Filter conditions (all must hold), each a Meilisearch filter expression."""
    conditions: list[str] = []
    for attribute, values in (
        ("categories", query.categories),
        ("languages", query.languages),
        ("districts", query.districts),
        ("target_groups", query.target_groups),
    ):
        if values:
            conditions.append(f"{attribute} IN [{', '.join(quoted(v) for v in values)}]")
    for attribute, wanted in (
        ("free_of_charge", query.free_of_charge),
        ("barrier_free", query.barrier_free),
        ("has_place_or_waitlist", query.has_place_or_waitlist),
    ):
        if wanted:
            conditions.append(f"{attribute} = true")
    if query.age is not None:
        conditions.append(f"min_age <= {int(query.age)}")
        conditions.append(f"max_age >= {int(query.age)}")
    if query.open_at is not None:
        slots = slots_of(query.open_at)
        conditions.append(f"open_slots IN [{', '.join(map(str, slots))}]")
    if query.near is not None and query.radius_km is not None:
        lat, lon = float(query.near.latitude), float(query.near.longitude)
        metres = round(query.radius_km * 1000)
        radius = f"_geoRadius({lat!r}, {lon!r}, {metres})"
        inner = cover(lat, lon, query.radius_km).inner
        if inner:
            cells = ", ".join(quoted(str(c)) for c in inner)
            radius = f"({radius} OR geo_cells IN [{cells}])"
        conditions.append(radius)
    return conditions


def meili_text(text: str) -> str:
    """The user's words without anything Meilisearch reads as syntax (quotes, leading minus)."""
    joined = " ".join(german.raw_words(text))
    # A trailing space tells Meilisearch the last word is complete (no prefix search).
    return joined + " " if joined and text[-1:].isspace() else joined


def search_params(query: SearchQuery) -> tuple[str, dict[str, Any]]:
    """The `q` and the other parameters of a Meilisearch search request."""
    params: dict[str, Any] = {
        "page": query.page,
        "hitsPerPage": query.per_page,
        "showRankingScore": True,
        "attributesToRetrieve": ["offer"],
    }
    conditions = filter_expression(query)
    if conditions:
        params["filter"] = " AND ".join(conditions)
    if query.facets:
        params["facets"] = [name for name in query.facets if name in FACET_NAMES]
    if query.sort == "free_places":
        params["sort"] = ["free_places:desc"]
    elif query.sort == "next_start":
        params["sort"] = ["next_start_day:asc"]
    elif query.sort == "distance" and query.near is not None:
        params["sort"] = [f"_geoPoint({query.near.latitude!r}, {query.near.longitude!r}):asc"]
    return meili_text(query.text), params


def parse_response(answer: dict[str, Any], query: SearchQuery) -> SearchResult:
    hits: list[SearchHit] = []
    for raw in answer.get("hits", []):
        document = msgspec.convert(raw["offer"], OfferDocument)
        distance = None
        if query.near is not None:
            distance = nearest_km(query.near.latitude, query.near.longitude, document.coordinates())
        score = float(raw.get("_rankingScore", 0.0)) if query.sort == "relevance" else 0.0
        hits.append(SearchHit(id=document.id, score=score, distance_km=distance, document=document))
    total = int(answer.get("totalHits", answer.get("estimatedTotalHits", len(hits))))
    distribution = answer.get("facetDistribution") or {}
    facets: dict[str, dict[str, int]] = {
        name: {str(k): int(v) for k, v in distribution.get(name, {}).items() if v}
        for name in query.facets
    }
    return SearchResult(
        hits=hits, total=total, page=query.page, per_page=query.per_page, facets=facets
    )
