"""The directory in a real browser: browsing, the offer, one-click capacity, editing; axe checks."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import run
from core.testing.browser import assert_accessible, expect_heading
from directory.signing import capacity_token
from directory.tables import Capacity, ServiceAtLocation, ServiceLanguage, ServiceTerm
from directory.tests.conftest import Network

pytestmark = pytest.mark.browser


def _offer(network: Network, make_service: Any, name: str, term: Any, **fields: Any) -> Any:
    service_id = make_service(network.org_a, name=name, **fields)
    run(ServiceAtLocation(service=service_id, location=network.place_a).save())
    run(ServiceLanguage(service=service_id, code="uk").save())
    run(ServiceTerm(service=service_id, term=term).save())
    return service_id


def _available(service_id: Any) -> int:
    row = run(Capacity.select(Capacity.available).where(Capacity.service == service_id).first())
    assert row is not None
    return int(row["available"])


def test_case_manager_browses_filters_and_opens_an_offer(
    page: Any, network: Network, make_service: Any, browser_login: Any,
) -> None:
    course = _offer(network, make_service, "Integrationskurs am Abend", network.subcategory)
    _offer(network, make_service, "Migrationsberatung für Erwachsene", network.other_category)
    browser_login(page, network.case_manager)
    page.goto("/offers")
    expect_heading(page, "Angebote")
    assert_accessible(page)
    page.get_by_label("Kategorie").select_option(str(network.category))
    page.get_by_role("button", name="Angebote anzeigen").click()
    page.wait_for_url(lambda url: "category=" in url)
    assert "Gefundene Angebote: 1" in page.get_by_role("status").first.inner_text()
    page.get_by_role("link", name="Integrationskurs am Abend", exact=True).click()
    page.wait_for_url(f"**/offers/{course}")
    expect_heading(page, "Integrationskurs am Abend")
    assert page.get_by_text("Ukrainisch").is_visible()
    refer = page.get_by_role("link", name="Weitervermitteln")
    assert refer.get_attribute("href") == f"/referrals/new?service={course}"
    assert_accessible(page)
    page.get_by_role("link", name="Caritas Mülheim").click()
    expect_heading(page, "Caritas Mülheim")
    assert_accessible(page)


def test_provider_updates_free_places_with_one_click(
    page: Any, network: Network, make_service: Any, browser_login: Any,
) -> None:
    service_id = _offer(network, make_service, "Sprachcafé", network.subcategory,
                        available=3, maximum=10)
    browser_login(page, network.provider_a)
    page.goto("/my-offers")
    assert_accessible(page)
    widget = page.locator(f"#capacity-{service_id}")
    widget.get_by_role("button", name="+1 freier Platz").click()
    page.locator(f"#capacity-{service_id}").get_by_text("4 von 10 Plätzen frei").wait_for()
    assert _available(service_id) == 4
    assert page.url.endswith("/my-offers")
    page.locator(f"#capacity-{service_id}").get_by_role("button", name="Voll").click()
    page.locator(f"#capacity-{service_id}").get_by_text("0 von 10 Plätzen frei").wait_for()
    page.locator(f"#capacity-{service_id}").get_by_role("button", name="Warteliste öffnen").click()
    page.locator(f"#capacity-{service_id}").get_by_text("Warteliste: offen").wait_for()
    page.locator(f"#capacity-{service_id}").get_by_role("button",
                                                         name="Angaben bestätigen").click()
    page.locator(f"#capacity-{service_id}").get_by_text("Heute als richtig bestätigt").wait_for()
    assert_accessible(page)


def test_provider_edits_an_offer(page: Any, network: Network, make_service: Any,
                                 browser_login: Any) -> None:
    service_id = _offer(network, make_service, "Elterncafé", network.subcategory)
    browser_login(page, network.provider_a)
    page.goto(f"/offers/{service_id}")
    page.get_by_role("link", name="Angebot bearbeiten").click()
    page.wait_for_url(f"**/offers/{service_id}/edit")
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Elterncafé international")
    page.get_by_label("Türkisch").check()
    page.get_by_label("Migrationsberatung", exact=True).check()
    page.get_by_label("Status").select_option("temporarily closed")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(f"**/offers/{service_id}?saved=true")
    expect_heading(page, "Elterncafé international")
    assert page.get_by_text("Änderungen gespeichert.").is_visible()
    assert page.get_by_text("Türkisch").is_visible()
    assert_accessible(page)


def test_signed_link_works_without_log_in(page: Any, network: Network,
                                          make_service: Any) -> None:
    service_id = _offer(network, make_service, "Hausaufgabenhilfe", network.subcategory,
                        available=2, maximum=8)
    page.goto(f"/capacity/{capacity_token(service_id, network.provider_a.id)}")
    expect_heading(page, "Freie Plätze aktualisieren")
    assert page.get_by_text("2 von 8 Plätzen frei").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="-1 freier Platz").click()
    page.get_by_text("1 von 8 Plätzen frei").wait_for()
    assert _available(service_id) == 1
    assert_accessible(page)


def test_focus_stays_on_the_pressed_button_and_free_places_can_be_typed(
    page: Any, network: Network, make_service: Any, browser_login: Any,
) -> None:
    service_id = _offer(network, make_service, "Sprachcafé", network.subcategory,
                        available=3, maximum=10)
    browser_login(page, network.provider_a)
    page.goto("/my-offers")
    page.evaluate("window.samePage = true")
    widget = page.locator(f"#capacity-{service_id}")
    widget.get_by_role("button", name="+1 freier Platz").focus()
    page.keyboard.press("Enter")
    widget.get_by_text("4 von 10 Plätzen frei").wait_for()
    # The focus comes back when the swap settles, a moment after the new text shows.
    plus = page.locator(f"#cap-{service_id}-plus")
    expect(plus).to_be_focused(timeout=2000)
    page.keyboard.press("Enter")  # the focus is still on +1, pressed again at once
    widget.get_by_text("5 von 10 Plätzen frei").wait_for()
    expect(plus).to_be_focused(timeout=2000)
    # Both presses were answered in place, not by sending the whole page.
    assert page.evaluate("window.samePage === true")
    widget.get_by_label("Freie Plätze").fill("7")
    widget.get_by_role("button", name="Setzen").click()
    widget.get_by_text("7 von 10 Plätzen frei").wait_for()
    assert _available(service_id) == 7
    widget.get_by_label("Freie Plätze").fill("12")
    widget.get_by_role("button", name="Setzen").click()
    widget.get_by_role("status").filter(has_text="Maximum").wait_for()
    assert _available(service_id) == 7
    assert_accessible(page)
