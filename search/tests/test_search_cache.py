"""What the embedded index remembers between searches, and that a commit makes it forget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from search import embedded_reading as reading
from search import synthetic
from search.embedded import EmbeddedEngine
from search.engine import FACET_NAMES, GeoPoint, OfferLocation, SearchQuery
from search.generation_cache import GenerationCache
from search.tests.test_facets import expected_facets, facet_offers


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedEngine:
    index = EmbeddedEngine(Path(tmp_path_factory.mktemp("cache")) / "search")
    index.rebuild(facet_offers())
    return index


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
        assert engine.search(query).facets == {"languages": expected_facets(offers)["languages"]}
    offers[0] = msgspec.structs.replace(offers[0], languages=["de", "sq"])
    writer.index(offers[:1])
    for engine in (writer, reader):
        result = engine.search(query)
        assert result.total == len(offers)
        assert result.facets == {"languages": expected_facets(offers)["languages"]}


def test_what_an_older_index_version_gave_is_not_remembered() -> None:
    cache: GenerationCache[str] = GenerationCache(4)
    cache.put(2, "q", "newer")
    cache.put(1, "q", "older")
    assert cache.get(2, "q") == "newer"
    assert cache.get(3, "q") is None
    cache.put(3, "r", "newest")
    assert cache.get(2, "q") is None


def test_a_cache_keeps_the_values_used_last() -> None:
    cache: GenerationCache[int] = GenerationCache(2)
    for key in ("a", "b"):
        cache.put(1, key, 1)
    cache.get(1, "a")
    cache.put(1, "c", 1)
    assert [cache.get(1, key) for key in ("a", "b", "c")] == [1, None, 1]


def test_new_words_are_found_after_a_commit(tmp_path: Path) -> None:
    offers = list(synthetic.offers(20, seed=4))
    writer = EmbeddedEngine(tmp_path / "search")
    writer.rebuild(offers)
    reader = EmbeddedEngine(tmp_path / "search", writable=False)
    # A short finished word is only looked up as written: before the commit, nowhere.
    query = SearchQuery(text="Gnu ", facets=["languages"])
    assert writer.search(query).total == reader.search(query).total == 0
    writer.index([msgspec.structs.replace(offers[0], name="Gnu")])
    assert writer.search(query).total == reader.search(query).total == 1


def test_a_radius_search_measures_again_after_an_offer_moved(tmp_path: Path) -> None:
    offers = list(synthetic.offers(20, seed=4))
    centre = GeoPoint(latitude=51.0, longitude=9.0)
    # 4.9 and 5.1 km east: near the circle's edge, where offers are measured one by one.
    place = OfferLocation(name="Innen", latitude=51.0, longitude=9.07002)
    far = OfferLocation(name="Aussen", latitude=51.0, longitude=9.07288)
    writer = EmbeddedEngine(tmp_path / "search")
    writer.rebuild([msgspec.structs.replace(offers[0], locations=[place]), *offers[1:]])
    reader = EmbeddedEngine(tmp_path / "search", writable=False)
    query = SearchQuery(near=centre, radius_km=5, facets=["languages"])
    assert writer.search(query).total == reader.search(query).total == 1
    writer.index([msgspec.structs.replace(offers[0], locations=[far])])
    assert writer.search(query).total == reader.search(query).total == 0
