"""Facet counts of the embedded index against counts made in Python from the same offers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest

from search import embedded_reading as reading
from search import synthetic
from search.embedded import EmbeddedEngine
from search.embedded_schema import FACET_SLOTS
from search.engine import FACET_NAMES, GeoPoint, OfferDocument, SearchQuery
from search.facet_cache import FacetCache

KINDS = ("categories", "languages", "districts", "target_groups")


def _offers() -> list[OfferDocument]:
    offers = list(synthetic.offers(400, seed=11))
    # Some offers hold more values of a kind than there are slot columns.
    many = ["ar", "de", "en", "fa", "ru", "tr", "uk"][: FACET_SLOTS + 3]
    for n, document in enumerate(offers[:40]):
        offers[n] = msgspec.structs.replace(document, languages=many[: FACET_SLOTS + n % 4])
    return offers


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedEngine:
    index = EmbeddedEngine(Path(tmp_path_factory.mktemp("facets")) / "search")
    index.rebuild(_offers())
    return index


def _expected(offers: list[OfferDocument]) -> dict[str, dict[str, int]]:
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
    matching = [o for o in _offers() if keep(o)]
    assert result.total == len(matching)
    assert result.facets == _expected(matching)


def test_offers_with_more_values_than_slots_count_each_value_once(engine: EmbeddedEngine) -> None:
    result = engine.search(SearchQuery(languages=["uk"], facets=["languages"]))
    held = [o for o in _offers() if "uk" in o.languages]
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


def _counting_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    count = reading.facets

    def counted(*args: Any, **kwargs: Any) -> dict[str, dict[str, int]]:
        calls.append(1)
        return count(*args, **kwargs)

    monkeypatch.setattr(reading, "facets", counted)
    return calls


def test_another_page_or_order_of_a_search_reuses_its_facet_counts(
    engine: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = SearchQuery(text="beratung", facets=list(FACET_NAMES))
    first = engine.search(query)
    calls = _counting_calls(monkeypatch)
    again = [
        engine.search(msgspec.structs.replace(query, page=2)),
        engine.search(msgspec.structs.replace(query, sort="free_places", per_page=5)),
    ]
    assert calls == []
    assert all(result.facets == first.facets for result in again)
    engine.search(msgspec.structs.replace(query, languages=["fa"]))
    assert calls == [1]


def test_changing_a_remembered_answer_does_not_change_the_next_one(
    engine: EmbeddedEngine,
) -> None:
    query = SearchQuery(text="kurs", facets=list(FACET_NAMES))
    first = engine.search(query)
    expected = {name: dict(counts) for name, counts in first.facets.items()}
    first.facets.pop("languages")
    first.facets["categories"].clear()
    assert engine.search(query).facets == expected


def test_facet_counts_follow_a_commit_even_when_the_total_stays(tmp_path: Path) -> None:
    offers = list(synthetic.offers(50, seed=3))
    writer = EmbeddedEngine(tmp_path / "search")
    writer.rebuild(offers)
    reader = EmbeddedEngine(tmp_path / "search", writable=False)
    query = SearchQuery(facets=["languages"])
    for engine in (writer, reader):
        assert engine.search(query).facets == {"languages": _expected(offers)["languages"]}
    offers[0] = msgspec.structs.replace(offers[0], languages=["de", "sq"])
    writer.index(offers[:1])
    for engine in (writer, reader):
        result = engine.search(query)
        assert result.total == len(offers)
        assert result.facets == {"languages": _expected(offers)["languages"]}


def test_counts_of_an_older_index_version_are_not_remembered() -> None:
    cache = FacetCache(4)
    cache.put(2, b"q", 10, {"languages": {"de": 10}})
    cache.put(1, b"q", 10, {"languages": {"de": 9}})
    assert cache.get(2, b"q", 10) == {"languages": {"de": 10}}
    assert cache.get(3, b"q", 10) is None
    assert cache.get(2, b"q", 11) is None
