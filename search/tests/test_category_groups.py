"""The category filter in a real browser: categories folded under their top category, on a
phone and on a desktop."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import run
from core.testing.browser import assert_accessible, screenshot
from search.embedded import EmbeddedEngine
from search.tests.corpus import offer

pytestmark = pytest.mark.browser

LANGUAGE = "sprache"
COURSE = "sprache.integrationskurs"
CAFE = "sprache.sprachcafe"
COUNSELLING = "migrationsberatung"
ADULTS = "migrationsberatung.mbe"


@pytest.fixture
def categorised(search_engine: EmbeddedEngine) -> None:
    """Offers filed under the Lotse taxonomy, with the taxonomy installed."""
    from directory.taxonomy_data import ensure_taxonomies
    from search import labels

    run(ensure_taxonomies())
    labels.forget_term_names()
    search_engine.index([
        offer("course", "Integrationskurs am Vormittag", categories=[COURSE, LANGUAGE],
              category_names=["Integrationskurs"]),
        offer("cafe", "Sprachcafé im Stadtteil", categories=[CAFE, LANGUAGE],
              category_names=["Sprachcafé"]),
        offer("mbe-adults", "Beratung für Erwachsene", categories=[ADULTS, COUNSELLING],
              category_names=["Migrationsberatung für Erwachsene (MBE)"]),
    ])


def test_categories_fold_under_their_top_category_on_a_phone(
    page: Any, make_user: Any, browser_login: Any, categorised: None
) -> None:
    browser_login(page, make_user("case_manager"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/search")
    page.get_by_text("Filter", exact=True).click()
    categories = page.get_by_role("group", name="Kategorie")
    folds = categories.locator("summary").all_inner_texts()
    assert folds == ["Migrationsberatung", "Sprache & Integrationskurse"]
    # Sub-categories stay folded until their top category is opened.
    assert not categories.get_by_label("Sprachcafé (1)").is_visible()
    categories.get_by_text("Sprache & Integrationskurse", exact=True).click()
    categories.get_by_label("Sprachcafé (1)").check()
    page.get_by_role("status").filter(has_text="1 Angebot gefunden").wait_for()
    assert page.locator(".hit h3").all_inner_texts() == ["Sprachcafé im Stadtteil"]
    screenshot(page, "search-categories-phone")
    assert_accessible(page)
    # Reloaded with the choice, its fold is open and the choice visible.
    page.reload()
    page.get_by_text("Filter", exact=True).click()
    assert page.get_by_label("Sprachcafé (1)").is_checked()
    assert page.get_by_label("Sprachcafé (1)").is_visible()
    assert_accessible(page)


def test_a_whole_top_category_is_one_choice_on_a_desktop(
    page: Any, make_user: Any, browser_login: Any, categorised: None
) -> None:
    browser_login(page, make_user("viewer"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/search")
    page.get_by_role("status").filter(has_text="3 Angebote gefunden").wait_for()
    page.get_by_text("Sprache & Integrationskurse", exact=True).click()
    page.get_by_label("Alle in Sprache & Integrationskurse (2)").check()
    page.get_by_role("status").filter(has_text="2 Angebote gefunden").wait_for()
    names = sorted(page.locator(".hit h3").all_inner_texts())
    assert names == ["Integrationskurs am Vormittag", "Sprachcafé im Stadtteil"]
    # The sub-categories of the other top category are not mixed into this fold.
    fold = page.locator("details.top-category", has_text="Sprache & Integrationskurse")
    assert "Migrationsberatung für Erwachsene" not in fold.inner_text()
    screenshot(page, "search-categories-desktop")
    assert_accessible(page)
