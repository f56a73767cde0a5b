"""An offer's locations on a map, in a real browser, with no tile server answering."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import run
from core.testing.browser import assert_accessible, screenshot
from directory.tables import Location, ServiceAtLocation
from directory.tests.conftest import Network

pytestmark = pytest.mark.browser


def _located(network: Network, name: str, lat: float, lon: float) -> Any:
    place = Location(organization=network.org_a, name=name, district="Styrum",
                     address_1="Oberhausener Straße 100", postal_code="45476",
                     city="Mülheim an der Ruhr", latitude=lat, longitude=lon)
    run(place.save())
    return place.id


def test_an_offer_page_shows_its_located_places_on_a_map_on_a_phone(
    page: Any, network: Network, make_service: Any, browser_login: Any,
) -> None:
    service_id = make_service(network.org_a, name="Sprachcafé Styrum")
    for place in (_located(network, "Stadtteilzentrum Styrum", 51.4531, 6.8562),
                  _located(network, "Bücherei Styrum", 51.4550, 6.8600),
                  network.place_b):  # the third has no coordinates: listed, not mapped
        run(ServiceAtLocation(service=service_id, location=place).save())
    browser_login(page, network.case_manager)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/offers/{service_id}")
    page.locator(".offer-map[data-drawn='2']").wait_for()
    map_region = page.get_by_role("region", name="Karte der Orte")
    assert map_region.locator("path.leaflet-interactive").count() == 2
    map_region.locator("path.leaflet-interactive").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.filter(has_text="Oberhausener Straße 100 45476 Mülheim an der Ruhr").wait_for()
    # axe reads colours once the popup has faded in.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")
    # The places stay listed in text below the map, the mapped ones and the other.
    cards = page.locator(".card h3").all_inner_texts()
    assert {"Stadtteilzentrum Styrum", "Bücherei Styrum", "Diakoniezentrum"} <= set(cards)
    screenshot(page, "offer-map-phone")
    assert_accessible(page)


def test_an_offer_without_coordinates_has_no_map(
    page: Any, network: Network, make_service: Any, browser_login: Any,
) -> None:
    service_id = make_service(network.org_a, name="Beratung ohne Karte")
    run(ServiceAtLocation(service=service_id, location=network.place_a).save())
    browser_login(page, network.viewer)
    page.goto(f"/offers/{service_id}")
    assert page.get_by_role("heading", name="Orte").is_visible()
    assert page.locator(".map").count() == 0
    assert_accessible(page)
