"""Facet counts of the embedded index against counts made in Python from the same offers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest

from search import synthetic
from search.embedded import EmbeddedEngine
from search.embedded_schema import FACET_SLOTS
from search.engine import FACET_NAMES, GeoPoint, OfferDocument, SearchQuery

KINDS = ("categories", "languages", "districts", "target_groups")


def facet_offers() -> list[OfferDocument]:
    offers = list(synthetic.offers(400, seed=11))
    # Some offers hold more values of a kind than there are slot columns.
    many = ["ar", "de", "en", "fa", "ru", "tr", "uk"][: FACET_SLOTS + 3]
    for n, document in enumerate(offers[:40]):
        offers[n] = msgspec.structs.replace(document, languages=many[: FACET_SLOTS + n % 4])
    return offers


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedEngine:
    index = EmbeddedEngine(Path(tmp_path_factory.mktemp("facets")) / "search")
    index.rebuild(facet_offers())
    return index


def expected_facets(offers: list[OfferDocument]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for kind in KINDS:
        counted = Counter(v for o in offers for v in set(getattr(o, kind)))
        counts[kind] = dict(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))
    for flag in ("free_of_charge", "barrier_free", "has_place_or_waitlist"):
        held = sum(1 for o in offers if getattr(o, flag))
        both = {"true": held, "false": len(offers) - held}
        counts[flag] = {k: v for k, v in both.items() if v}
    return counts


CASES: list[tuple[SearchQuery, Callable[[OfferDocument], bool]]] = [
    (SearchQuery(), lambda o: True),
    (SearchQuery(languages=["fa"]), lambda o: "fa" in o.languages),
    (SearchQuery(free_of_charge=True, languages=["ar", "uk"]),
     lambda o: o.free_of_charge and bool({"ar", "uk"} & set(o.languages))),
]


@pytest.mark.parametrize(("query", "keep"), CASES)
def test_facet_counts_equal_counts_over_the_matching_offers(
    engine: EmbeddedEngine, query: SearchQuery, keep: Callable[[OfferDocument], bool]
) -> None:
    asked = msgspec.structs.replace(query, facets=list(FACET_NAMES))
    result = engine.search(asked)
    matching = [o for o in facet_offers() if keep(o)]
    assert result.total == len(matching)
    assert result.facets == expected_facets(matching)


def test_offers_with_more_values_than_slots_count_each_value_once(engine: EmbeddedEngine) -> None:
    result = engine.search(SearchQuery(languages=["uk"], facets=["languages"]))
    held = [o for o in facet_offers() if "uk" in o.languages]
    assert result.facets["languages"]["uk"] == len(held)
    assert result.facets["languages"]["de"] == sum(1 for o in held if "de" in o.languages)


def test_facet_counts_of_a_text_and_radius_search_follow_its_total(
    engine: EmbeddedEngine,
) -> None:
    query = SearchQuery(
        text="beratung", near=GeoPoint(latitude=51.4556, longitude=7.0116), radius_km=30,
        facets=list(FACET_NAMES),
    )
    result = engine.search(query)
    assert result.total > 0
    assert sum(result.facets["free_of_charge"].values()) == result.total
    assert sum(result.facets["has_place_or_waitlist"].values()) == result.total
