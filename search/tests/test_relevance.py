"""Relevance: what people type in a German city and the offers that must come first.

Each case runs against every engine (Meilisearch only when MEILI_URL is set).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from search.engine import GeoPoint, OpenAt, SearchEngine, SearchQuery
from search.tests.corpus import DISTRICTS, KEY


def keys(engine: SearchEngine, text: str = "", **options: Any) -> list[str]:
    result = engine.search(SearchQuery(text=text, per_page=50, **options))
    return [KEY[hit.id] for hit in result.hits]


@dataclass
class Case:
    """`first`: the offers that must fill the first places (in any order among themselves);
    `then`: offers that must also be found; `never`: offers that must not be."""

    text: str
    first: list[str]
    then: list[str] = field(default_factory=list)
    never: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)


CASES = {
    # Plurals and other forms that stemming does not join
    "plural finds singular": Case("deutschkurse", ["dk-evening"], then=["dk-women", "online-dk"]),
    "singular finds plural": Case("Deutschkurs", ["dk-women", "online-dk"], then=["dk-evening"]),
    "stem of a plural": Case("Werkstätten", ["open-shops"], then=["wood"]),
    # Typos
    "one typo in a long word": Case("Migrationsberatng", ["mbe"]),
    "swapped letters": Case("Bewerbungstrainnig", ["applications"]),
    "two typos in a long word": Case("Schuldnerbaratnug", ["debt"]),
    "short words need exact letters": Case("Kira", [], never=["kita"]),
    # Umlauts and ß
    "umlaut written as ue": Case("Fluechtlinge", ["refugee-counselling"], then=["clothes"]),
    "umlaut written plain": Case("Fluchtlinge", ["refugee-counselling"], then=["clothes"]),
    "umlaut as umlaut": Case("Flüchtlinge", ["refugee-counselling"], then=["clothes"]),
    "ae and ue spellings": Case("Naehwerkstatt", ["sewing"]),
    "ue at the start": Case("Uebersetzungshilfe", ["translation"]),
    "oe and ue in one word": Case("Fruehstueck", ["breakfast"]),
    "ss for ß": Case("Strassenfussball", ["street-football"]),
    "ß in the query": Case("Straßenfußball", ["street-football"]),
    "accent left out": Case("Sprachcafe", ["cafe"]),
    "words with ue stay whole": Case("Frauen", ["dk-women", "swim"], then=["breakfast"]),
    # Parts of compound words
    "head of compounds": Case(
        "beratung",
        ["refugee-counselling", "psych"],
        then=["mbe", "debt", "awo-social", "rent"],
    ),
    "middle of a compound": Case("migrationsdienst", ["two-places"], then=["jmd"]),
    # Compounds nobody wrote, split into the words they are made of
    "compound of two words": Case("Flüchtlingsberatung", ["refugee-counselling"]),
    "compound with a linking n": Case("Geflüchtetenberatung", ["psych", "refugee-counselling"]),
    "compound of three words": Case("Frauendeutschkurs", ["dk-women"]),
    "compound of a district-free need": Case("Jugendberatung", ["jmd"]),
    "synonym from the data file": Case(
        "Deutschkurs", ["dk-women", "online-dk"], then=["dk-evening", "ik-alpha"]
    ),
    "words written apart": Case("Schuldner Beratung", ["debt"]),
    "hyphenated name written apart": Case("Kita Sprechstunde", ["kita"]),
    "hyphenated name written together": Case("Kitasprechstunde", ["kita"]),
    # Search as you type
    "prefix while typing": Case("Integr", ["ik-alpha", "agency"]),
    "prefix of the second word": Case("Deutschkurs Fra", ["dk-women"]),
    # Other languages
    "Ukrainian name": Case("Мовне кафе", ["cafe"]),
    "Arabic name": Case("مقهى", ["cafe"]),
    # Several words
    "all words count": Case("Beratung Geflüchtete", ["psych", "refugee-counselling"]),
    "stop words are left out": Case("Beratung für Schulden", ["debt"]),
    "provider name": Case("Volkshochschule Alphabetisierung", ["ik-alpha"]),
    "title before description": Case("Sprachkurs", ["dk-women"], then=["mbe"]),
    # Filters
    "category filter": Case("beratung", ["debt"], options={"categories": ["debt-counselling"]}),
    "parent category filter": Case(
        "",
        ["dk-women", "dk-evening", "ik-alpha", "online-dk"],
        options={"categories": ["language-course", "integration-course"]},
    ),
    "language filter": Case("beratung", ["psych"], options={"languages": ["uk"]}),
    "district filter": Case("beratung", ["debt"], options={"districts": ["Styrum"]}),
    "target group filter": Case("deutschkurs", ["dk-women"], options={"target_groups": ["women"]}),
    "age within limits": Case(
        "Jugendliche", ["street-football"], then=["jmd"], options={"age": 16}
    ),
    "age above a maximum": Case(
        "Jugendliche", ["jmd"], never=["street-football"], options={"age": 20}
    ),
    "free of charge filter": Case(
        "deutschkurs",
        ["dk-women", "online-dk"],
        never=["dk-evening"],
        options={"free_of_charge": True},
    ),
    "barrier-free filter": Case("cafe", ["cafe"], options={"barrier_free": True}),
    "free place or waitlist": Case(
        "deutschkurse",
        ["dk-women", "online-dk"],
        never=["dk-evening"],
        options={"has_place_or_waitlist": True},
    ),
    "open at a time": Case(
        "beratung", ["mbe"], never=["debt"], options={"open_at": OpenAt(weekday=3, minute=15 * 60)}
    ),
    "within a radius, any location": Case(
        "sprechstunde",
        ["two-places"],
        never=["kita", "health-hours"],
        options={"near": GeoPoint(*DISTRICTS["Styrum"]), "radius_km": 1.0},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_query_finds_expected_offers_first(directory: SearchEngine, name: str) -> None:
    case = CASES[name]
    found = keys(directory, case.text, **case.options)
    assert set(found[: len(case.first)]) == set(case.first), found
    for key in case.then:
        assert key in found[len(case.first) :], (key, found)
    for key in case.never:
        assert key not in found, (key, found)


def test_match_kinds_rank_exact_stem_prefix_typo_part(directory: SearchEngine) -> None:
    if directory.name == "meilisearch":
        pytest.skip("Meilisearch ranks prefix matches in names before stems in derived forms")
    found = keys(directory, "werkstatt")
    expected = ["wood", "open-shops", "shop-cafe", "culture"]
    assert found[:4] == expected, found
    assert set(found[4:6]) == {"bikes", "sewing"}, found


def test_sort_by_distance_puts_nearest_first(directory: SearchEngine) -> None:
    result = directory.search(
        SearchQuery(
            text="beratung", near=GeoPoint(*DISTRICTS["Styrum"]), sort="distance", per_page=50
        )
    )
    distances = [hit.distance_km for hit in result.hits]
    located = [d for d in distances if d is not None]
    # Two offers are in Styrum itself (one of them also elsewhere): their distance is 0.
    assert {KEY[hit.id] for hit in result.hits[:2]} == {"debt", "two-places"}
    assert located == sorted(located)
    assert located[1] < 0.1 < located[2]


def test_sort_by_free_places_puts_most_first(directory: SearchEngine) -> None:
    found = keys(directory, "kurs", sort="free_places")
    assert found[:3] == ["online-dk", "swim", "ik-alpha"], found


def test_sort_by_next_start_puts_soonest_first(directory: SearchEngine) -> None:
    found = keys(directory, "", sort="next_start")
    assert found[:3] == ["dk-evening", "swim", "online-dk"], found
