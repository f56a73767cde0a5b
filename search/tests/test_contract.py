"""What every search engine must do: the same tests for the embedded index and Meilisearch."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from search.engine import (
    GeoPoint,
    OfferDocument,
    OfferLocation,
    OpenAt,
    QueryError,
    SearchEngine,
    SearchQuery,
)
from search.tests.corpus import DISTRICTS, ID, KEY, OFFERS, at, hours, offer


def found(engine: SearchEngine, text: str = "", **options: object) -> list[str]:
    result = engine.search(SearchQuery(text=text, per_page=100, **options))  # type: ignore[arg-type]
    return [KEY.get(hit.id, str(hit.id)) for hit in result.hits]


def test_indexed_offer_is_found_and_carries_its_document(engine: SearchEngine) -> None:
    engine.index(OFFERS[:3])
    result = engine.search(SearchQuery(text="Schuldnerberatung"))
    assert result.total == 1
    hit = result.hits[0]
    assert hit.id == ID["debt"]
    assert hit.document == OFFERS[1]


def test_indexing_again_replaces_without_duplicates(engine: SearchEngine) -> None:
    engine.index(OFFERS[:3])
    changed = offer("debt", "Schuldnerberatung", free_places=4, locations=[at("Styrum")])
    engine.index([changed])
    result = engine.search(SearchQuery(text="Schuldnerberatung"))
    assert result.total == 1
    assert result.hits[0].document.free_places == 4
    assert engine.search(SearchQuery()).total == 3


def test_delete_removes_and_ignores_unknown_ids(engine: SearchEngine) -> None:
    engine.index(OFFERS[:3])
    engine.delete([ID["debt"], uuid.uuid4()])
    assert "debt" not in found(engine)
    assert engine.search(SearchQuery()).total == 2


def test_rebuild_replaces_the_whole_index(engine: SearchEngine) -> None:
    engine.index(OFFERS[:5])
    counted: list[int] = []
    assert engine.rebuild(iter(OFFERS[5:8]), progress=counted.append) == 3
    assert sum(counted) == 3
    assert sorted(found(engine)) == sorted(KEY[o.id] for o in OFFERS[5:8])


def test_health_counts_documents(engine: SearchEngine) -> None:
    engine.index(OFFERS[:4])
    health = engine.health()
    assert health.ok
    assert health.documents == 4


def test_empty_query_lists_everything_in_pages(engine: SearchEngine) -> None:
    engine.index(OFFERS)
    first = engine.search(SearchQuery(per_page=10))
    second = engine.search(SearchQuery(per_page=10, page=2))
    assert first.total == second.total == len(OFFERS)
    assert len(first.hits) == len(second.hits) == 10
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    last = engine.search(SearchQuery(per_page=10, page=4))
    assert len(last.hits) == len(OFFERS) - 30


@pytest.mark.parametrize(
    "text",
    [
        "AND",
        "OR NOT",
        '"',
        '"Beratung',
        "a:b",
        "id:x",
        "title:Beratung",
        "(",
        ")",
        "*",
        "-",
        "-Beratung",
        "\\",
        "Beratung~2",
        "[1 TO 2]",
        "' OR 1=1 --",
        "^",
        "{}",
        "€ §",
    ],
)
def test_user_text_is_never_syntax(engine: SearchEngine, text: str) -> None:
    engine.index(OFFERS)
    result = engine.search(SearchQuery(text=text))
    assert result.total >= 0
    if "Beratung" in text:
        assert result.total > 0


def test_facet_counts_follow_the_results(engine: SearchEngine) -> None:
    engine.index(OFFERS)
    result = engine.search(
        SearchQuery(
            text="deutschkurse",
            facets=[
                "categories",
                "languages",
                "districts",
                "free_of_charge",
                "has_place_or_waitlist",
                "barrier_free",
                "target_groups",
            ],
        )
    )
    assert result.total == 3
    assert result.facets["categories"] == {"language-course": 3, "language": 3}
    assert result.facets["districts"] == {"Dümpten": 1, "Altstadt": 1}
    assert result.facets["free_of_charge"] == {"true": 2, "false": 1}
    assert result.facets["has_place_or_waitlist"] == {"true": 2, "false": 1}
    assert result.facets["barrier_free"] == {"false": 3}
    assert result.facets["target_groups"] == {"women": 1}
    assert result.facets["languages"] == {"de": 3}


def test_filters_on_lists_match_any_value(engine: SearchEngine) -> None:
    engine.index(OFFERS)
    assert set(found(engine, languages=["ti", "tr"])) == {"refugee-counselling", "jmd"}
    assert set(found(engine, districts=["Broich"])) == {
        "refugee-counselling",
        "rent",
        "seniors-pc",
        "bikes",
    }
    assert set(found(engine, target_groups=["seniors"])) == {"seniors-pc"}
    assert set(found(engine, categories=["counselling"])) >= {"mbe", "debt", "jmd", "two-places"}


def test_age_limits_are_inclusive_and_open_when_missing(engine: SearchEngine) -> None:
    engine.index(OFFERS)
    at_ten = set(found(engine, age=10))
    assert {"homework", "street-football"} <= at_ten
    assert "toddlers" not in at_ten
    assert "mbe" in at_ten  # no limits
    at_eleven = set(found(engine, age=11))
    assert "homework" not in at_eleven and "street-football" in at_eleven


def test_free_place_filter_counts_waitlists_and_unlimited_offers(engine: SearchEngine) -> None:
    engine.index(OFFERS)
    result = set(found(engine, has_place_or_waitlist=True))
    assert {"dk-women", "debt", "toddlers", "mbe"} <= result  # places, waitlists, unlimited
    assert "dk-evening" not in result  # full, waitlist closed


def test_open_at_includes_start_and_excludes_end(engine: SearchEngine) -> None:
    engine.index(OFFERS)
    assert "debt" in found(engine, open_at=OpenAt(weekday=1, minute=9 * 60))
    assert "debt" in found(engine, open_at=OpenAt(weekday=1, minute=11 * 60 + 59))
    assert "debt" not in found(engine, open_at=OpenAt(weekday=1, minute=12 * 60))
    assert "debt" not in found(engine, open_at=OpenAt(weekday=2, minute=10 * 60))
    evening = found(engine, open_at=OpenAt(weekday=3, minute=20 * 60 + 15))
    assert evening == ["dk-evening"]


def test_a_day_alone_finds_offers_open_at_any_time_that_day(engine: SearchEngine) -> None:
    engine.index(OFFERS)
    tuesdays = set(found(engine, open_at=OpenAt(weekday=1)))
    assert "debt" in tuesdays
    assert "dk-evening" not in set(found(engine, open_at=OpenAt(weekday=6)))
    assert set(found(engine, open_at=OpenAt(weekday=1, minute=10 * 60))) <= tuesdays


def test_a_time_alone_finds_offers_open_then_on_any_day(engine: SearchEngine) -> None:
    engine.index(OFFERS)
    at_ten = set(found(engine, open_at=OpenAt(minute=10 * 60)))
    assert "debt" in at_ten  # Tuesdays 09:00-12:00
    assert "dk-evening" not in at_ten
    assert "dk-evening" in set(found(engine, open_at=OpenAt(minute=20 * 60 + 15)))


def test_radius_finds_any_location_and_skips_unlocated(engine: SearchEngine) -> None:
    engine.index(OFFERS)
    near_styrum = set(found(engine, near=GeoPoint(*DISTRICTS["Styrum"]), radius_km=0.5))
    assert near_styrum == {"debt", "cafe", "street-football", "sewing", "two-places"}
    wide = found(engine, near=GeoPoint(*DISTRICTS["Altstadt"]), radius_km=50)
    assert "online-dk" not in wide
    assert len(wide) == len(OFFERS) - 1


def test_radius_edge_is_measured_exactly(engine: SearchEngine) -> None:
    centre = GeoPoint(51.4275, 6.8825)
    inside = OfferDocument(
        id=uuid.uuid4(), name="Innen", locations=[OfferLocation(latitude=51.4275, longitude=6.9105)]
    )
    outside = OfferDocument(
        id=uuid.uuid4(),
        name="Aussen",
        locations=[OfferLocation(latitude=51.4275, longitude=6.9125)],
    )
    engine.index([inside, outside])  # about 1.95 km and 2.09 km east of the centre
    result = engine.search(SearchQuery(near=centre, radius_km=2.0))
    assert [hit.id for hit in result.hits] == [inside.id]
    assert result.hits[0].distance_km == pytest.approx(1.95, abs=0.01)


def test_sort_by_distance_reports_distances_and_puts_unlocated_last(engine: SearchEngine) -> None:
    engine.index(OFFERS)
    result = engine.search(
        SearchQuery(near=GeoPoint(*DISTRICTS["Saarn"]), sort="distance", per_page=100)
    )
    assert result.total == len(OFFERS)
    distances = [hit.distance_km for hit in result.hits]
    assert distances[-1] is None and KEY[result.hits[-1].id] == "online-dk"
    assert distances[:-1] == sorted(d for d in distances if d is not None)


def test_sort_by_next_start_puts_unknown_dates_last(engine: SearchEngine) -> None:
    engine.index(OFFERS)
    starts = [
        h.document.next_start
        for h in engine.search(SearchQuery(sort="next_start", per_page=100)).hits
    ]
    known = [d for d in starts if d is not None]
    assert known == sorted(known) and known[0] == date(2026, 1, 12)
    assert starts[: len(known)] == known


def test_sort_by_free_places_puts_most_first(engine: SearchEngine) -> None:
    engine.index(OFFERS)
    places = [
        h.document.free_places
        for h in engine.search(SearchQuery(sort="free_places", per_page=100)).hits
    ]
    counted = [p for p in places if p is not None]
    assert counted == sorted(counted, reverse=True) and counted[0] == 12


def test_weekly_interval_over_sunday_midnight(engine: SearchEngine) -> None:
    night = offer("night", "Nachtcafé", open_intervals=[hours(6 * 1440, 22, 26)])
    engine.index([night])
    assert found(engine, open_at=OpenAt(weekday=6, minute=23 * 60)) == [str(night.id)]
    assert found(engine, open_at=OpenAt(weekday=0, minute=60)) == [str(night.id)]
    assert found(engine, open_at=OpenAt(weekday=0, minute=2 * 60)) == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"page": 0}, "page"),
        ({"per_page": 500}, "per_page"),
        ({"page": 60, "per_page": 20}, "first 1000"),
        ({"radius_km": 3.0}, "point"),
        ({"sort": "distance"}, "point"),
        ({"age": 300}, "age"),
        ({"open_at": OpenAt(weekday=7, minute=0)}, "weekday"),
        ({"near": GeoPoint(99.0, 0.0)}, "latitude"),
    ],
)
def test_impossible_queries_are_refused_with_a_reason(
    engine: SearchEngine, options: dict[str, object], message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        engine.search(SearchQuery(**options))  # type: ignore[arg-type]
