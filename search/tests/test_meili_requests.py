"""What the Meilisearch adapter sends and how it reads answers (no server needed)."""

from __future__ import annotations

import json
import uuid
from datetime import date

import msgspec

from search.engine import GeoPoint, OfferDocument, OpenAt, SearchQuery
from search.geo import cells_of_point
from search.meili_requests import (
    filter_expression,
    index_settings,
    meili_text,
    parse_response,
    search_params,
    to_meili,
)
from search.tests.corpus import DISTRICTS, ID, OFFERS, at, offer


def by_key(key: str) -> OfferDocument:
    return next(o for o in OFFERS if o.id == ID[key])


def test_settings_make_every_filter_and_sort_possible() -> None:
    settings = index_settings()
    filterable = set(settings["filterableAttributes"])
    assert {
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
        "id",
    } <= filterable
    assert set(settings["sortableAttributes"]) == {"free_places", "next_start_day", "_geo"}
    assert settings["rankingRules"][-1] == "free_places:desc"
    assert settings["typoTolerance"]["minWordSizeForTypos"] == {"oneTypo": 5, "twoTypos": 9}
    assert "kindertagesstatte" in settings["synonyms"]["kita"]
    assert settings["searchableAttributes"][0] == "names"


def test_document_carries_german_word_forms() -> None:
    refugees = to_meili(by_key("refugee-counselling"))
    assert "fluechtlinge" in refugees["word_forms"]  # ue spelling of Flüchtlinge
    assert "fluchtling" in refugees["word_forms"]  # stem
    assert "beratung" in to_meili(by_key("debt"))["word_forms"]  # tail of Schuldnerberatung
    assert "kitasprechstunde" in to_meili(by_key("kita"))["word_forms"]


def test_document_has_filters_flat_and_the_offer_whole() -> None:
    document = by_key("dk-women")
    meili = to_meili(document)
    assert meili["id"] == str(document.id)
    assert meili["categories"] == ["language-course", "language"]
    assert meili["has_place_or_waitlist"] is True
    assert meili["free_places"] == 3
    assert meili["min_age"] == 18 and meili["max_age"] == 200
    assert meili["next_start_day"] == (date(2026, 2, 2) - date(1970, 1, 1)).days
    assert meili["open_slots"][0] == 9 * 4  # Monday 9:00 in quarter hours
    assert msgspec.convert(json.loads(json.dumps(meili["offer"])), OfferDocument) == document


def test_first_location_is_geo_and_every_location_has_cells() -> None:
    meili = to_meili(by_key("two-places"))
    lat, lon = DISTRICTS["Heißen"]
    assert meili["_geo"] == {"lat": lat, "lng": lon}
    for district in ("Heißen", "Styrum"):
        for cell in cells_of_point(*DISTRICTS[district]):
            assert str(cell) in meili["geo_cells"]


def test_unlocated_offer_without_start_has_no_geo_or_start() -> None:
    meili = to_meili(offer("x", "Telefonberatung"))
    assert "_geo" not in meili and "next_start_day" not in meili
    assert meili["free_places"] == -1


def test_every_filter_becomes_an_expression() -> None:
    query = SearchQuery(
        categories=["language-course", "integration-course"],
        languages=["uk"],
        districts=["Styrum"],
        target_groups=["women"],
        age=30,
        free_of_charge=True,
        barrier_free=True,
        has_place_or_waitlist=True,
        open_at=OpenAt(weekday=1, minute=600),
    )
    assert filter_expression(query) == [
        'categories IN ["language-course", "integration-course"]',
        'languages IN ["uk"]',
        'districts IN ["Styrum"]',
        'target_groups IN ["women"]',
        "free_of_charge = true",
        "barrier_free = true",
        "has_place_or_waitlist = true",
        "min_age <= 30",
        "max_age >= 30",
        f"open_slots IN [{(1440 + 600) // 15}]",
    ]


def test_filter_values_cannot_break_out_of_their_quotes() -> None:
    query = SearchQuery(districts=['Saarn" OR id EXISTS OR districts = "x', "Back\\slash"])
    (expression,) = filter_expression(query)
    assert expression == (
        'districts IN ["Saarn\\" OR id EXISTS OR districts = \\"x", "Back\\\\slash"]'
    )


def test_radius_uses_geo_radius_or_inner_cells() -> None:
    query = SearchQuery(near=GeoPoint(51.45, 6.86), radius_km=2.5)
    (expression,) = filter_expression(query)
    assert expression.startswith("(_geoRadius(51.45, 6.86, 2500) OR geo_cells IN [")
    assert expression.endswith("])")


def test_user_text_loses_meilisearch_syntax() -> None:
    assert meili_text('"Beratung') == "Beratung"
    assert meili_text("-Beratung") == "Beratung"
    assert meili_text("Kita-Sprechstunde ") == "Kita Sprechstunde "
    assert meili_text("a:b") == "a b"
    assert meili_text("") == ""


def test_search_parameters_for_sorts_pages_and_facets() -> None:
    text, params = search_params(
        SearchQuery(text="Deutsch", page=3, per_page=10, facets=["categories"], sort="next_start")
    )
    assert text == "Deutsch"
    assert params["page"] == 3 and params["hitsPerPage"] == 10
    assert params["facets"] == ["categories"]
    assert params["sort"] == ["next_start_day:asc"]
    assert "filter" not in params
    _text, params = search_params(SearchQuery(sort="free_places", free_of_charge=True))
    assert params["sort"] == ["free_places:desc"]
    assert params["filter"] == "free_of_charge = true"
    _text, params = search_params(SearchQuery(sort="distance", near=GeoPoint(51.4, 6.8)))
    assert params["sort"] == ["_geoPoint(51.4, 6.8):asc"]


def test_answer_becomes_a_search_result() -> None:
    document = by_key("two-places")
    answer = {
        "hits": [{"offer": msgspec.to_builtins(document), "_rankingScore": 0.93}],
        "totalHits": 41,
        "facetDistribution": {"categories": {"counselling": 1, "language": 0}},
    }
    query = SearchQuery(text="x", near=GeoPoint(*DISTRICTS["Styrum"]), facets=["categories"])
    result = parse_response(answer, query)
    assert result.total == 41
    assert result.hits[0].document == document
    assert result.hits[0].score == 0.93
    assert result.hits[0].distance_km == 0.0  # its second location is in Styrum
    assert result.facets == {"categories": {"counselling": 1}}


def test_document_for_an_offer_with_every_field() -> None:
    full = offer(
        "full",
        "Volles Angebot",
        locations=[at("Saarn", wheelchair=True)],
        free_places=None,
        next_start=date(2026, 5, 1),
    )
    meili = to_meili(full)
    assert meili["barrier_free"] is True
    assert meili["has_place_or_waitlist"] is True  # does not count places
    assert uuid.UUID(meili["id"]) == full.id


def test_a_day_or_a_time_alone_becomes_a_set_of_quarter_hours() -> None:
    monday = filter_expression(SearchQuery(open_at=OpenAt(weekday=0)))
    assert monday == [f"open_slots IN [{', '.join(str(s) for s in range(96))}]"]
    nine = filter_expression(SearchQuery(open_at=OpenAt(minute=9 * 60)))
    assert nine == [f"open_slots IN [{', '.join(str(d * 96 + 36) for d in range(7))}]"]
