"""The page "Analyse" in a browser at phone width: filters by keyboard, charts and tables, no
accessibility violations, and the English page complete."""

from __future__ import annotations

from typing import Any

import pytest

from analysis.tests.support import Net
from core.testing.browser import assert_accessible

pytestmark = pytest.mark.browser


def test_the_analysis_page_filters_by_district_and_stays_accessible_on_a_phone(
        page: Any, browser_login: Any, net: Net, make_user: Any) -> None:
    admin = make_user("network_admin", net.admin_org)
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, admin)
    page.goto("/analysis?period=custom&first=2026-01&last=2026-03")
    assert page.get_by_role("heading", name="Analyse", level=1).is_visible()
    assert page.locator("figure.chart svg[role=img]").count() >= 5
    assert_accessible(page)

    page.get_by_label("Stadtteil", exact=True).select_option("Styrum")
    page.get_by_label("Zeitraum", exact=True).select_option("month")
    page.get_by_label("Quartal oder Monat (Zahl)").fill("2")
    page.get_by_role("button", name="Anzeigen").press("Enter")
    page.wait_for_url("**district=Styrum**")
    waitlisted = page.get_by_role("table", name="Auf die Warteliste gesetzt")
    assert "Styrum" in waitlisted.inner_text()
    assert "Altstadt" not in waitlisted.inner_text()
    assert_accessible(page)


def test_the_english_page_has_every_text_in_english(
        page: Any, browser_login: Any, net: Net, make_user: Any) -> None:
    admin = make_user("network_admin", net.admin_org)
    browser_login(page, admin)
    page.context.add_cookies([{"name": "lotse_lang", "value": "en",
                               "url": page.url or "http://127.0.0.1"}])
    page.goto("/analysis?period=month&year=2026&number=2")
    main = page.locator("main").inner_text()
    for english in ("Unmet demand", "Answers", "Outcomes", "Chains", "Coverage"):
        assert english in main
    for german in ("Ungedeckter Bedarf", "Versandt", "Stadtteil"):
        assert german not in main
    assert_accessible(page)
