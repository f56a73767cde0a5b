"""Distance from the client's place and the map of the results, in a real browser. No tile
server answers in the tests (LOTSE_MAP_TILES points at a closed port on loopback)."""

from __future__ import annotations

from typing import Any

import pytest

from core.testing.browser import assert_accessible, screenshot
from search.embedded import EmbeddedEngine
from search.tests.corpus import at, offer

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def spread(search_engine: EmbeddedEngine) -> None:
    """One counselling offer in each of four districts, and one without a place."""
    search_engine.index([
        offer("styrum", "Beratung in Styrum", locations=[at("Styrum")]),
        offer("saarn", "Beratung in Saarn", locations=[at("Saarn")]),
        offer("heissen", "Beratung in Heißen", locations=[at("Heißen")]),
        offer("altstadt", "Beratung in der Altstadt", locations=[at("Altstadt")]),
        offer("phone", "Beratung am Telefon"),
    ])


def _names(page: Any) -> list[str]:
    return page.locator(".hit h3").all_inner_texts()


def _settled(page: Any) -> None:
    """Pressing Enter in a field sends its change and the form: the list is dimmed until both
    answers are in, and axe would read the dimmed colours."""
    for _ in range(2):
        page.wait_for_function("() => !document.querySelector('.htmx-request')")
        page.wait_for_timeout(250)


def test_staff_type_a_postcode_or_pick_a_district_and_results_sort_by_distance(
    page: Any, make_user: Any, browser_login: Any, spread: None
) -> None:
    browser_login(page, make_user("case_manager"))
    page.set_viewport_size(PHONE)
    page.goto("/search?q=Beratung")
    page.get_by_role("status").filter(has_text="5 Angebote gefunden").wait_for()
    page.get_by_text("Filter", exact=True).click()
    place = page.get_by_label("Ab dem Ort der Klientin oder des Klienten")
    # 45481 is Saarn's postcode: its centre lies south of the city.
    place.fill("45481")
    place.press("Enter")
    note = page.locator(".place-note")
    note.filter(has_text="45481").wait_for()
    _settled(page)
    assert note.inner_text() == (
        "Entfernungen gemessen ab der Mitte des Postleitzahlgebiets 45481.")
    names = _names(page)
    assert names[0] == "Beratung in Saarn" and names[-1] == "Beratung am Telefon"
    assert "sort=distance" in page.url and "place=45481" in page.url
    assert page.get_by_label("Sortieren nach").input_value() == "distance"
    first = page.locator(".hit").first.inner_text()
    assert "Entfernung" in first and "km" in first
    assert page.get_by_role("link", name="Entfernung ab 45481 – Filter entfernen").count() == 1
    screenshot(page, "search-distance-from-postcode-phone")
    assert_accessible(page)
    # A district from the list: Styrum lies in the north.
    place.fill("Styrum")
    place.press("Enter")
    note.filter(has_text="Styrum").wait_for()
    _settled(page)
    assert _names(page)[0] == "Beratung in Styrum"
    screenshot(page, "search-distance-from-district-phone")
    assert page.locator("#district-names option[value='Styrum']").count() == 1
    assert_accessible(page)


def test_a_place_nobody_knows_is_refused_in_german_and_stays_to_be_corrected(
    page: Any, make_user: Any, browser_login: Any, spread: None
) -> None:
    browser_login(page, make_user("case_manager"))
    page.set_viewport_size(PHONE)
    response = page.goto("/search?place=Nirgendwo")
    assert response.status == 400
    assert page.get_by_role("alert").inner_text() == (
        "Den Ort „Nirgendwo“ kennt Lotse nicht. Bitte eine Postleitzahl eingeben oder einen "
        "Stadtteil wählen.")
    assert page.locator(".hit").count() == 0
    assert page.locator("#place").input_value() == "Nirgendwo"
    assert_accessible(page)


def test_the_map_shows_the_numbered_results_without_a_tile_server(
    page: Any, make_user: Any, browser_login: Any, spread: None
) -> None:
    browser_login(page, make_user("viewer"))
    page.set_viewport_size(DESKTOP)
    page.goto("/search?q=Beratung&place=Styrum")
    box = page.locator("#map-box")
    assert box.get_attribute("open") is not None  # beside the list on a wide screen
    canvas = page.locator("#results-map")
    canvas.and_(page.locator("[data-drawn='4']")).wait_for()
    # Four located offers with the numbers of the list, and the client's place.
    numbers = page.locator("#results-map .map-number").all_inner_texts()
    assert sorted(numbers) == ["1", "2", "3", "4"]
    assert page.locator("#results-map path.leaflet-interactive").count() == 1  # the client
    assert page.get_by_role("button", name="Vergrößern").count() == 1
    # A marker opens a link to its offer.
    page.get_by_role("button", name="1. Beratung in Styrum").click()
    page.locator(".leaflet-popup a", has_text="1. Beratung in Styrum").wait_for()
    # axe reads colours once the popup has faded in.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")
    screenshot(page, "search-map-desktop")
    assert_accessible(page)
    # The map follows the list when a filter changes it.
    page.get_by_label("Was suchen Sie?").fill("Saarn")
    page.get_by_label("Was suchen Sie?").press("Enter")
    page.locator("#results-map[data-drawn='1']").wait_for()
    assert page.locator("#results-map .map-number").all_inner_texts() == ["1"]
    _settled(page)
    assert page.locator("#results-map .map-number").all_inner_texts() == ["1"]
    assert_accessible(page)


def test_on_a_phone_the_map_waits_folded_below_the_list_heading(
    page: Any, make_user: Any, browser_login: Any, spread: None
) -> None:
    browser_login(page, make_user("case_manager"))
    page.set_viewport_size(PHONE)
    page.goto("/search?q=Beratung")
    first = page.locator(".hit h3 a").first
    box = first.bounding_box()
    assert box is not None and box["y"] < 844, box
    assert page.locator("#map-box").get_attribute("open") is None
    page.get_by_text("Karte der Ergebnisse", exact=True).click()
    page.locator("#results-map[data-drawn='4']").wait_for()
    assert page.locator("#results-map").bounding_box()["width"] <= 390
    screenshot(page, "search-map-phone")
    assert_accessible(page)
