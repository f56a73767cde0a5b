"""Finding the client's place: postcodes and districts offline, addresses through a geocoder
server (Nominatim or Photon by geopy), and how a typed place becomes a search's point."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from geopy.adapters import BaseSyncAdapter
from geopy.exc import GeocoderUnavailable

from core.i18n import translations
from search.engine import QueryError
from search.params import search_query
from search.places import GeopyGeocoder, Place, locate_sync

GEOCODER_URL = os.environ.get("LOTSE_TEST_GEOCODER_URL", "").strip()


class Recorder(BaseSyncAdapter):
    """Answers geopy's requests with a canned answer and keeps the URLs asked for."""

    urls: list[str] = []
    answer: Any = []

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        Recorder.urls.append(url)
        return Recorder.answer

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        raise AssertionError("geocoders answer JSON")


@pytest.fixture
def recorder() -> type[Recorder]:
    Recorder.urls = []
    Recorder.answer = []
    return Recorder


def test_a_postcode_is_found_offline_as_the_centre_of_its_area() -> None:
    place = locate_sync("45476")
    assert place.kind == "postcode" and place.name == "45476"
    assert 51.40 < place.latitude < 51.50 and 6.80 < place.longitude < 6.90


def test_postcodes_outside_the_demo_city_are_known_too() -> None:
    berlin = locate_sync("10115")
    assert 52.4 < berlin.latitude < 52.6


def test_a_district_is_found_with_umlauts_written_out_or_not() -> None:
    for typed in ("Dümpten", "duempten", "DÜMPTEN "):
        place = locate_sync(typed)
        assert (place.kind, place.name) == ("district", "Dümpten")
    assert locate_sync("Heissen").name == "Heißen"


def test_without_a_server_an_address_falls_back_to_its_postcode_or_district() -> None:
    assert locate_sync("Kaiserstraße 5, 45468 Mülheim").name == "45468"
    # The longer district name wins over the one inside it.
    assert locate_sync("Mendener Str. 3, Menden-Holthausen").name == "Menden-Holthausen"


def test_an_unknown_place_is_refused_in_german_with_what_to_do() -> None:
    with pytest.raises(QueryError) as refused:
        locate_sync("Nirgendwo")
    german = refused.value.translated(translations("de").gettext)
    assert german == (
        "Den Ort „Nirgendwo“ kennt Lotse nicht. Bitte eine Postleitzahl eingeben oder einen "
        "Stadtteil wählen."
    )
    with pytest.raises(QueryError, match="postcode 00000 is not known"):
        locate_sync("00000")


def test_nominatim_is_asked_for_one_german_answer(recorder: type[Recorder]) -> None:
    recorder.answer = [{"lat": "51.4301", "lon": "6.8790",
                        "display_name": "Kaiserstraße 5, Altstadt I, Mülheim an der Ruhr"}]
    geocoder = GeopyGeocoder("https://geo.stadt.example/nominatim/", "nominatim",
                             adapter_factory=recorder)
    place = geocoder.locate("Kaiserstraße 5, Mülheim")
    assert place == Place(latitude=51.4301, longitude=6.879, kind="address",
                          name="Kaiserstraße 5, Altstadt I, Mülheim an der Ruhr")
    url = urlsplit(recorder.urls[0])
    assert (url.scheme, url.netloc, url.path) == ("https", "geo.stadt.example",
                                                  "/nominatim/search")
    params = parse_qs(url.query)
    assert params["q"] == ["Kaiserstraße 5, Mülheim"]
    assert params["countrycodes"] == ["de"] and params["limit"] == ["1"]
    assert params["accept-language"] == ["de"] and params["format"] == ["json"]
    # Asked again (the next result page), the server is not asked twice.
    geocoder.locate("Kaiserstraße 5, Mülheim")
    assert len(recorder.urls) == 1


def test_photon_is_asked_on_its_api_path(recorder: type[Recorder]) -> None:
    recorder.answer = {"features": [{
        "geometry": {"coordinates": [6.8562, 51.4531]},
        "properties": {"name": "Styrum", "city": "Mülheim an der Ruhr", "country": "Deutschland"},
    }]}
    geocoder = GeopyGeocoder("http://127.0.0.1:2322", "photon", adapter_factory=recorder)
    place = geocoder.locate("Oberhausener Straße 100")
    assert place is not None and (place.latitude, place.longitude) == (51.4531, 6.8562)
    url = urlsplit(recorder.urls[0])
    assert (url.scheme, url.netloc, url.path) == ("http", "127.0.0.1:2322", "/api")
    params = parse_qs(url.query)
    assert params["q"] == ["Oberhausener Straße 100"] and params["lang"] == ["de"]
    assert params["limit"] == ["1"]


def test_a_server_that_knows_nothing_leaves_the_offline_fallback(
    recorder: type[Recorder],
) -> None:
    geocoder = GeopyGeocoder("http://127.0.0.1:8088", "nominatim", adapter_factory=recorder)
    assert locate_sync("Irgendeine Straße 1, 45479 Mülheim", geocoder).name == "45479"


def test_a_server_that_fails_leaves_the_offline_fallback() -> None:
    class Down:
        def locate(self, text: str) -> Place | None:
            raise GeocoderUnavailable("no answer")

    assert locate_sync("Saarner Straße 1 in Saarn", Down()).name == "Saarn"


def test_postcodes_and_districts_never_reach_the_server(recorder: type[Recorder]) -> None:
    geocoder = GeopyGeocoder("http://127.0.0.1:8088", "nominatim", adapter_factory=recorder)
    locate_sync("45468", geocoder)
    locate_sync("Styrum", geocoder)
    assert recorder.urls == []


@pytest.mark.skipif(not GEOCODER_URL, reason="a geocoder server runs only with "
                    "LOTSE_TEST_GEOCODER_URL (and LOTSE_TEST_GEOCODER=photon for Photon)")
def test_a_real_geocoder_server_finds_an_address_in_muelheim() -> None:
    kind = os.environ.get("LOTSE_TEST_GEOCODER", "nominatim")
    place = GeopyGeocoder(GEOCODER_URL, kind).locate("Schloßstraße, Mülheim an der Ruhr")
    assert place is not None and place.kind == "address"
    assert 51.3 < place.latitude < 51.5 and 6.8 < place.longitude < 7.0


def test_a_place_sorts_by_distance_unless_another_order_is_asked_for() -> None:
    assert search_query({"place": ["Styrum"]}).sort == "distance"
    assert search_query({"place": ["Styrum"], "sort": ["free_places"]}).sort == "free_places"
    assert search_query({"place": ["45468"], "radius_km": ["2"]}).radius_km == 2
    with pytest.raises(QueryError, match="either a place or lat and lon"):
        search_query({"place": ["Styrum"], "lat": ["51.4"], "lon": ["6.9"]})


def test_the_api_sorts_by_distance_from_a_place_and_says_when_it_is_unknown(
    api_client: Any, make_user: Any, search_engine: Any
) -> None:
    from search.tests.corpus import at, offer

    search_engine.index([
        offer("north", "Beratung im Norden", locations=[at("Styrum")]),
        offer("south", "Beratung im Süden", locations=[at("Saarn")]),
    ])
    api = api_client(make_user("viewer"))
    body = api.get("/api/search", params={"place": "45481"}).json()
    assert [hit["document"]["name"] for hit in body["hits"]] == [
        "Beratung im Süden", "Beratung im Norden"]
    assert body["hits"][0]["distance_km"] < body["hits"][1]["distance_km"]
    body = api.get("/api/search", params={"place": "Styrum", "radius_km": "2"}).json()
    assert [hit["document"]["name"] for hit in body["hits"]] == ["Beratung im Norden"]
    refused = api.get("/api/search", params={"place": "Atlantis"})
    assert refused.status_code == 400
    assert "Atlantis" in refused.text and "postcode" in refused.text
