"""The search API and the search page over HTTP."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from conftest import run
from search import routes
from search.display import FacetValue, fold_by_top_category
from search.embedded import EmbeddedEngine
from search.gaps import no_place_counts
from search.labels import Labels
from search.tests.corpus import ID, OFFERS
from settings import get_settings


@pytest.fixture
def indexed(search_engine: EmbeddedEngine) -> EmbeddedEngine:
    search_engine.index(OFFERS)
    return search_engine


@pytest.fixture
def viewer(client: Any, make_user: Any, login: Any) -> Any:
    login(client, make_user("viewer"))
    return client


def test_api_needs_a_login(client: Any, indexed: EmbeddedEngine) -> None:
    response = client.get("/api/search", params={"q": "Beratung"})
    assert response.status_code == 401


def test_api_answers_with_hits_facets_and_total(
    api_client: Any, make_user: Any, indexed: EmbeddedEngine
) -> None:
    api = api_client(make_user("viewer"))
    response = api.get(
        "/api/search",
        params={"q": "deutschkurse", "facet": ["categories", "free_of_charge"], "per_page": 2},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 3
    assert len(body["hits"]) == 2
    assert body["hits"][0]["document"]["name"]
    assert body["facets"]["free_of_charge"] == {"true": 2, "false": 1}
    assert set(body["facets"]) == {"categories", "free_of_charge"}


def test_api_filters_and_sorts(api_client: Any, make_user: Any, indexed: EmbeddedEngine) -> None:
    api = api_client(make_user("viewer"))
    response = api.get(
        "/api/search",
        params={
            "category": "language-course",
            "available": "true",
            "free": "true",
            "open_day": "mon",
            "open_time": "10:00",
            "sort": "next_start",
        },
    )
    assert response.status_code == 200, response.text
    assert [hit["id"] for hit in response.json()["hits"]] == [str(ID["dk-women"])]
    near = api.get(
        "/api/search",
        params={"lat": "51.4530", "lon": "6.8600", "radius_km": "0.5", "sort": "distance"},
    )
    assert near.json()["hits"][0]["distance_km"] == pytest.approx(0.0, abs=0.01)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "cheapest"}, "sort must be one of"),
        ({"age": "zwölf"}, "age must be a whole number"),
        ({"free": "maybe"}, "free must be true or false"),
        ({"open_day": "someday"}, "open_day must be one of"),
        ({"open_day": "²"}, "open_day must be one of"),
        ({"open_day": "monday", "open_time": "10:00"}, "open_day must be one of"),
        ({"open_day": "mon", "open_time": "25:00"}, "open_time must be a time"),
        ({"lat": "51.4"}, "lat and lon go together"),
        ({"lat": "x", "lon": "6.8"}, "lat must be a number"),
        ({"radius_km": "5"}, "a radius needs a point"),
        ({"page": "0"}, "page must be 1 or more"),
        ({"per_page": "1000"}, "per_page must be between"),
        ({"facet": "colour"}, "facet must be one of"),
        ({"q": "x" * 501}, "at most 500 characters"),
        ({"district": "x" * 101}, "at most 100 characters"),
    ],
)
def test_api_refuses_bad_parameters_with_a_reason(
    api_client: Any,
    make_user: Any,
    indexed: EmbeddedEngine,
    params: dict[str, str],
    message: str,
) -> None:
    api = api_client(make_user("viewer"))
    response = api.get("/api/search", params=params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_api_takes_any_text_without_error(
    api_client: Any, make_user: Any, indexed: EmbeddedEngine
) -> None:
    api = api_client(make_user("viewer"))
    for text in ['"', "AND", "a:b", "title:x", "(", "*", "\\", "%", "<script>"]:
        assert api.get("/api/search", params={"q": text}).status_code == 200


def test_api_is_public_when_the_directory_is(
    client: Any, indexed: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    public = dataclasses.replace(get_settings(), public_directory=True)
    monkeypatch.setattr(routes, "get_settings", lambda: public)
    assert client.get("/api/search", params={"q": "Beratung"}).status_code == 200


def test_page_shows_results_badges_and_filters(viewer: Any, indexed: EmbeddedEngine) -> None:
    response = viewer.get("/search", params={"q": "deutschkurse"})
    assert response.status_code == 200
    html = response.text
    assert "Deutschkurse am Abend (B1)" in html
    assert "Kein freier Platz" in html
    assert "3 freie Plätze" in html
    assert 'name="category" value="language-course"' in html
    assert "Angebote gefunden" in html


def test_page_in_english(viewer: Any, indexed: EmbeddedEngine) -> None:
    viewer.cookies.set("lotse_lang", "en")
    html = viewer.get("/search", params={"q": "schuldner"}).text
    assert "Waitlist open" in html
    assert "1 offer found" in html


def test_htmx_request_gets_only_the_results(viewer: Any, indexed: EmbeddedEngine) -> None:
    response = viewer.get(
        "/search",
        params={"q": "Sprachcafe"},
        headers={"HX-Request": "true", "HX-Trigger": "search-q"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Sprachcafé International" in response.text
    assert 'hx-swap-oob="innerHTML"' in response.text  # the result count


def test_page_shows_chips_that_remove_filters(viewer: Any, indexed: EmbeddedEngine) -> None:
    html = viewer.get(
        "/search", params={"q": "beratung", "district": "Styrum", "free": "true"}
    ).text
    assert 'href="/search?q=beratung&amp;free=true"' in html  # removes the district
    assert 'href="/search?q=beratung&amp;district=Styrum"' in html  # removes "free of charge"


def test_page_with_bad_parameters_explains_the_problem(
    viewer: Any, indexed: EmbeddedEngine
) -> None:
    response = viewer.get("/search", params={"age": "alt"})
    assert response.status_code == 400
    assert "age muss eine ganze Zahl sein" in response.text


def test_searches_without_a_free_place_are_counted(
    viewer: Any, api_client: Any, make_user: Any, indexed: EmbeddedEngine
) -> None:
    # Schuldnerberatung in Styrum has a waitlist: that counts as room.
    viewer.get("/search", params={"q": "schuldner", "district": "Styrum"})
    # Evening German courses are full, waitlist closed: no room.
    viewer.get("/search", params={"q": "abend", "category": "language-course"})
    # Typing is not counted, only settled searches.
    viewer.get(
        "/search",
        params={"q": "abe", "category": "language-course"},
        headers={"HX-Request": "true", "HX-Trigger": "search-q"},
    )
    api = api_client(make_user("case_manager"))
    api.get(
        "/api/search", params={"q": "abend", "category": "language-course", "district": "Altstadt"}
    )
    counts = run(no_place_counts(date.today(), date.today()))
    assert [(c.category, c.district, c.searches) for c in counts] == [
        ("language-course", "", 1),
        ("language-course", "Altstadt", 1),
    ]


def test_stylesheet_and_script_are_served(client: Any) -> None:
    assert client.get("/search/static/search.css").headers["content-type"].startswith("text/css")
    assert client.get("/search/static/search.js").status_code == 200
    assert client.get("/search/static/other.txt").status_code == 404


def test_health_is_for_network_admins(
    api_client: Any, make_user: Any, indexed: EmbeddedEngine
) -> None:
    assert api_client(make_user("viewer")).get("/api/search/health").status_code == 403
    health = api_client(make_user("network_admin")).get("/api/search/health").json()
    assert health["ok"] and health["documents"] == len(OFFERS)


def test_the_filter_lists_a_category_first_indexed_after_the_page_was_shown(
    viewer: Any, search_engine: EmbeddedEngine
) -> None:
    search_engine.index([o for o in OFFERS if "language-course" not in o.categories])
    assert 'value="language-course"' not in viewer.get("/search").text
    search_engine.index(OFFERS)
    assert 'name="category" value="language-course"' in viewer.get("/search").text


def test_sub_categories_whose_top_is_missing_keep_their_own_names() -> None:
    values = [
        FacetValue(value=code, label=code, count=1, checked=False, dom_id=code)
        for code in ("sprache.cafe", "sprache.kurs")
    ]
    labels = Labels({}, "de", parents={"sprache.cafe": "sprache", "sprache.kurs": "sprache"})
    tops = fold_by_top_category(values, labels)
    assert [(t.top.value, t.children) for t in tops] == [("sprache.cafe", []), ("sprache.kurs", [])]
