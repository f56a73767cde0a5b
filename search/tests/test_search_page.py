"""The search page in a real browser: typing updates the results, filters, accessibility."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.testing.browser import assert_accessible, expect_heading
from search.embedded import EmbeddedEngine
from search.tests.corpus import OFFERS, offer

pytestmark = pytest.mark.browser


@pytest.fixture
def indexed(search_engine: EmbeddedEngine) -> EmbeddedEngine:
    search_engine.index(OFFERS)
    return search_engine


def test_results_follow_typing_and_the_page_is_accessible(
    page: Any, make_user: Any, browser_login: Any, indexed: EmbeddedEngine
) -> None:
    browser_login(page, make_user("case_manager"))
    page.goto("/search")
    expect_heading(page, "Angebote suchen")
    assert_accessible(page)
    page.get_by_label("Was suchen Sie?").press_sequentially("Migrationsberatng", delay=20)
    # The first letters find it already: wait for the page to have read the whole word.
    page.wait_for_url(re.compile(r"q=Migrationsberatng(&|$)"))
    # Also the two offers filed under the category "Migrationsberatung", after it.
    page.get_by_role("status").filter(has_text="3 Angebote gefunden").wait_for()
    page.locator(".hit h3").first.filter(has_text="Migrationsberatung für Erwachsene").wait_for()
    refer = page.get_by_role("link", name="Weitervermitteln: Migrationsberatung für Erwachsene")
    assert refer.is_visible()
    assert_accessible(page)


def test_filters_update_counts_and_show_badges(
    page: Any, make_user: Any, browser_login: Any, indexed: EmbeddedEngine
) -> None:
    browser_login(page, make_user("viewer"))
    page.goto("/search?q=deutschkurs")
    # The three German courses, and the integration course as a synonym.
    page.get_by_role("status").filter(has_text="4 Angebote gefunden").wait_for()
    page.get_by_label("Freier Platz oder offene Warteliste").check()
    page.get_by_role("status").filter(has_text="3 Angebote gefunden").wait_for()
    hits = page.locator(".hit")
    assert hits.count() == 3
    texts = " ".join(hits.all_inner_texts())
    assert "3 freie Plätze" in texts and "12 freie Plätze" in texts
    assert "available=true" in page.url
    # Chips are real links: removing one reloads the page without that filter.
    page.get_by_role("link", name="Freier Platz oder offene Warteliste – Filter entfernen").click()
    page.get_by_role("status").filter(has_text="4 Angebote gefunden").wait_for()
    assert "Kein freier Platz" in " ".join(page.locator(".hit").all_inner_texts())
    assert_accessible(page)


def test_page_in_english_is_accessible(
    page: Any, make_user: Any, browser_login: Any, indexed: EmbeddedEngine
) -> None:
    browser_login(page, make_user("viewer"))
    page.context.add_cookies([{"name": "lotse_lang", "value": "en", "url": page.url}])
    page.goto("/search?q=schuldner")
    expect_heading(page, "Search offers")
    assert "Waitlist open" in page.locator(".hit").first.inner_text()
    assert_accessible(page)


def test_a_weekday_alone_filters_without_a_time(
    page: Any, make_user: Any, browser_login: Any, indexed: EmbeddedEngine
) -> None:
    browser_login(page, make_user("case_manager"))
    page.goto("/search?q=schuldnerberatung")
    page.get_by_role("status").filter(has_text="1 Angebot gefunden").wait_for()
    page.get_by_label("Wochentag").select_option("tue")
    page.get_by_role("link", name="Geöffnet dienstags – Filter entfernen").wait_for()
    assert page.get_by_role("status").inner_text() == "1 Angebot gefunden"
    assert "open_day=tue" in page.url and "open_time" not in page.url
    page.get_by_label("Wochentag").select_option("sun")
    page.get_by_role("status").filter(has_text="0 Angebote gefunden").wait_for()
    assert_accessible(page)


def test_a_time_alone_means_that_time_on_any_day(
    page: Any, make_user: Any, browser_login: Any, indexed: EmbeddedEngine
) -> None:
    browser_login(page, make_user("case_manager"))
    page.goto("/search?open_time=20:15")
    names = page.locator(".hit h3").all_inner_texts()
    assert names == ["Deutschkurse am Abend (B1)"]
    assert page.get_by_role("link", name="Geöffnet täglich um 20:15 – Filter entfernen").count()


def test_a_search_that_cannot_be_read_says_why_in_german_and_shows_no_list(
    page: Any, make_user: Any, browser_login: Any, indexed: EmbeddedEngine
) -> None:
    browser_login(page, make_user("case_manager"))
    page.set_viewport_size({"width": 390, "height": 844})
    response = page.goto("/search?open_time=25:00")
    assert response.status == 400
    assert page.get_by_role("alert").inner_text() == "Bitte eine Uhrzeit wie 09:30 angeben."
    assert page.locator(".hit").count() == 0
    assert_accessible(page)


def test_compounds_and_synonyms_find_offers_written_otherwise(
    page: Any, make_user: Any, browser_login: Any, indexed: EmbeddedEngine
) -> None:
    browser_login(page, make_user("case_manager"))
    page.goto("/search?q=Flüchtlingsberatung")
    assert page.locator(".hit h3").first.inner_text() == "Beratung für Flüchtlinge und Asylsuchende"
    page.goto("/search?q=Deutschkurs")
    assert "Integrationskurs mit Alphabetisierung" in page.locator(".hit h3").all_inner_texts()


def test_languages_are_named_not_coded(
    page: Any, make_user: Any, browser_login: Any, search_engine: EmbeddedEngine
) -> None:
    search_engine.index(
        [offer("kurdish", "Elterncafé auf Kurdisch", languages=["de", "kmr", "prs"])]
    )
    browser_login(page, make_user("case_manager"))
    page.goto("/search?q=Elterncafé")
    text = page.locator(".hit").first.inner_text()
    assert "Kurmandschi (Nordkurdisch)" in text and "Dari" in text
    assert "kmr" not in text and "prs" not in text


def test_on_a_phone_results_come_first_and_are_a_few_keys_away(
    page: Any, make_user: Any, browser_login: Any, indexed: EmbeddedEngine
) -> None:
    browser_login(page, make_user("case_manager"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/search?q=schuldnerberatung")
    first = page.locator(".hit h3 a").first
    box = first.bounding_box()
    assert box is not None and box["y"] < 844, box  # on the first screen
    assert page.locator("#filters").get_attribute("open") is None  # folded
    # Languages no result speaks are not offered as filters.
    assert page.locator("#filters").get_by_text("Tigrinya").count() == 0
    page.get_by_label("Was suchen Sie?").focus()
    presses = 0
    while presses < 5 and page.evaluate("document.activeElement.textContent") != (
        "Zu den Ergebnissen springen"
    ):
        page.keyboard.press("Tab")
        presses += 1
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Schuldnerberatung" and presses <= 3
    page.get_by_text("Filter", exact=True).click()
    assert page.locator("#filters").get_attribute("open") is not None
    assert_accessible(page)
