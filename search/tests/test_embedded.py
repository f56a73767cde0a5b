"""The embedded index on disk: opening, damage, several processes."""

from __future__ import annotations

import itertools
import time
import uuid
from pathlib import Path

import msgspec
import pytest

from search.embedded import VERSION_FILE, EmbeddedEngine, IndexUnavailableError
from search.engine import SearchQuery
from search.tests.corpus import ID, OFFERS, at, offer


def test_new_index_asks_for_a_rebuild_and_keeps_content_after_reopening(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path / "search")
    assert engine.needs_rebuild
    engine.rebuild(OFFERS)
    engine.close()
    reopened = EmbeddedEngine(tmp_path / "search")
    assert not reopened.needs_rebuild
    assert reopened.search(SearchQuery()).total == len(OFFERS)


def test_damaged_index_is_recreated_empty_for_a_rebuild(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path / "search")
    engine.rebuild(OFFERS)
    engine.close()
    (tmp_path / "search" / "meta.json").write_text("{ not json")
    reopened = EmbeddedEngine(tmp_path / "search")
    assert reopened.needs_rebuild
    assert reopened.search(SearchQuery()).total == 0


def test_index_of_an_older_layout_is_recreated(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path / "search")
    engine.rebuild(OFFERS)
    engine.close()
    (tmp_path / "search" / VERSION_FILE).write_text("0")
    assert EmbeddedEngine(tmp_path / "search").needs_rebuild


def test_only_one_writer_at_a_time(tmp_path: Path) -> None:
    first = EmbeddedEngine(tmp_path / "search")
    first.index(OFFERS[:1])
    second = EmbeddedEngine(tmp_path / "search")
    with pytest.raises(IndexUnavailableError, match="another process"):
        second.index(OFFERS[1:2])


def test_reader_refuses_to_write(tmp_path: Path) -> None:
    EmbeddedEngine(tmp_path / "search").index(OFFERS[:1])
    reader = EmbeddedEngine(tmp_path / "search", writable=False)
    with pytest.raises(IndexUnavailableError, match="read-only"):
        reader.delete([ID["mbe"]])


def test_reader_before_the_index_exists_finds_nothing(tmp_path: Path) -> None:
    reader = EmbeddedEngine(tmp_path / "search", writable=False)
    assert reader.search(SearchQuery(text="Beratung")).total == 0
    assert not reader.health().ok


def test_reader_sees_what_the_writer_commits(tmp_path: Path) -> None:
    writer = EmbeddedEngine(tmp_path / "search")
    writer.index(OFFERS)
    reader = EmbeddedEngine(tmp_path / "search", writable=False)
    assert reader.search(SearchQuery(text="Schuldnerberatung")).hits[0].document.free_places == 0
    writer.index([offer("debt", "Schuldnerberatung", free_places=6, locations=[at("Styrum")])])
    # The reader notices new commits by watching the index folder.
    deadline = time.monotonic() + 10
    places = None
    while time.monotonic() < deadline:
        places = reader.search(SearchQuery(text="Schuldnerberatung")).hits[0].document.free_places
        if places == 6:
            break
        time.sleep(0.05)
    assert places == 6


def test_distance_order_is_the_same_when_only_a_circle_is_sorted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from search import embedded_reading
    from search.engine import GeoPoint
    from search.tests.corpus import DISTRICTS

    engine = EmbeddedEngine(tmp_path / "search")
    engine.index(OFFERS)
    query = SearchQuery(near=GeoPoint(*DISTRICTS["Broich"]), sort="distance", per_page=5, page=2)
    everything = engine.search(query)
    monkeypatch.setattr(embedded_reading, "DIRECT_SORT_LIMIT", 2)
    monkeypatch.setattr(embedded_reading, "DISTANCE_STEPS_KM", (0.1, 1.0, 3.0))
    narrowed = engine.search(query)
    assert [h.id for h in narrowed.hits] == [h.id for h in everything.hits]
    assert narrowed.total == everything.total == len(OFFERS)


@pytest.mark.parametrize("every_word", [True, False])
def test_counting_query_finds_exactly_the_offers_of_the_ranking_query(
    tmp_path: Path, every_word: bool
) -> None:
    import tantivy

    from search import embedded_query as eq
    from search.tests.test_relevance import CASES

    engine = EmbeddedEngine(tmp_path / "search")
    engine.index(OFFERS)
    searcher = engine._ready_index().searcher()
    texts = [case.text for case in CASES.values()] + [
        "werkstatt",
        "Werkst",
        "deutschkurs frauen ",
        "Schuldner Beratung Styrum",
        "beratung ",
        "Migrationsberat",
        "kita sprech",
        "integrationskurs",
        "Frauen Fruehstueck",
    ]
    for text in texts:
        ranking = eq.TextQueryBuilder(engine._schema, searcher).text(text, every_word)
        counting = eq.TextQueryBuilder(engine._schema, searcher, matching=True).text(
            text, every_word
        )
        if ranking is None:
            assert counting is None
            continue
        assert counting is not None

        def ids(query: tantivy.Query) -> set[str]:
            found = searcher.search(query, limit=100)
            return {str(searcher.doc(address)["id"][0]) for _score, address in found.hits}

        assert ids(ranking) == ids(counting), text


def test_distances_read_from_the_index_are_the_nearest_place_of_each_offer(
    tmp_path: Path,
) -> None:
    """Offers with no place, one, up to the fast columns' three and more than those; points
    measured both on the flat ruler and, near a radius, on the sphere."""
    import random

    import tantivy

    from search.embedded_reading import all_addresses, distances, document_at
    from search.engine import OfferDocument, OfferLocation
    from search.geo import nearest_km

    rng = random.Random(7)
    offers = [
        OfferDocument(
            id=uuid.uuid4(), name=f"Angebot {n}",
            locations=[OfferLocation(latitude=51.3 + rng.random() * 0.3,
                                     longitude=6.7 + rng.random() * 0.4)
                       for _ in range(n % 6)],
        )
        for n in range(60)
    ]
    engine = EmbeddedEngine(tmp_path / "search")
    engine.index(offers)
    searcher = engine._ready_index().searcher()
    addresses = all_addresses(searcher, tantivy.Query.all_query())
    keys = searcher.fast_field_values("key", addresses)
    by_key = {int(key or 0): document_at(searcher, address)
              for key, address in zip(keys, addresses, strict=True)}
    for _ in range(5):
        lat, lon = 51.3 + rng.random() * 0.3, 6.7 + rng.random() * 0.4
        expected = {key: nearest_km(lat, lon, document.coordinates())
                    for key, document in by_key.items()}
        flat = distances(searcher, addresses, lat, lon)
        assert flat.keys() == expected.keys()
        for key, value in expected.items():
            # No place: last in any order. The flat ruler is within 0.5 % at this range.
            assert flat[key] == (float("inf") if value is None else pytest.approx(value, rel=0.005))
        # A radius right at each offer's distance: that offer is measured on the sphere.
        for key, value in expected.items():
            if value is not None:
                at_radius = distances(searcher, addresses, lat, lon, exact_near=value)
                assert at_radius[key] == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize("radius_km", [None, 3.0])
@pytest.mark.parametrize("sorted_at_once", [1000, 10])
def test_distance_order_counts_the_same_offers_as_relevance_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, radius_km: float | None, sorted_at_once: int
) -> None:
    from search import embedded_reading, synthetic
    from search.engine import GeoPoint

    monkeypatch.setattr(embedded_reading, "DIRECT_SORT_LIMIT", sorted_at_once)
    offers = list(synthetic.offers(300, seed=5))
    # Some offers have no place (online, by phone): they come after every located one.
    offers[:30] = [msgspec.structs.replace(o, locations=[]) for o in offers[:30]]
    engine = EmbeddedEngine(tmp_path / "search")
    engine.index(offers)
    near = GeoPoint(latitude=51.4556, longitude=7.0116)
    for text in ("", "beratung", "kurs"):
        query = SearchQuery(text=text, near=near, radius_km=radius_km, per_page=100)
        by_relevance = engine.search(query)
        by_distance = engine.search(msgspec.structs.replace(query, sort="distance"))
        assert by_distance.total == by_relevance.total > 0
        distances = [h.distance_km for h in by_distance.hits]
        located = [d for d in distances if d is not None]
        # Ordered by flat-earth distance; the distance shown is measured on the sphere.
        assert all(b >= a * 0.99 for a, b in itertools.pairwise(located))
        assert distances == located + [None] * (len(distances) - len(located))
