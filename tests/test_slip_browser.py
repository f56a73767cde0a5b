"""The slip in a real browser at phone width: reached from the referral, switched to Arabic,
laid out right to left without overflowing the screen, accessible (axe-core)."""

from __future__ import annotations

from typing import Any

import pytest

from core.testing.browser import assert_accessible
from tests.journeys import Network
from tests.slip_support import SAMPLES, accepted_with_appointment

pytestmark = pytest.mark.browser


def test_case_manager_opens_the_arabic_slip_on_a_phone(
    page: Any, network: Network, browser_login: Any
) -> None:
    scene = accepted_with_appointment(network, ["uk"])
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, network.case_manager)

    page.goto(f"/referrals/{scene.referral_id}")
    page.get_by_role("link", name="Laufzettel für die Klientin oder den Klienten").click()
    # The client's language from the referral comes first.
    assert page.locator("article.slip").get_attribute("lang") == "uk"
    assert_accessible(page)

    page.get_by_role("link", name="العربية").click()
    sheet = page.locator("article.slip")
    assert sheet.get_attribute("lang") == "ar"
    assert sheet.evaluate("node => getComputedStyle(node).direction") == "rtl"
    label = page.locator("article.slip th").filter(has_text="العنوان")
    value = page.locator("article.slip td").filter(has_text="Bergstraße 1")
    assert label.bounding_box()["x"] > value.bounding_box()["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("img", name="QR-Code").first.is_visible() or page.locator(
        "article.slip figure img").is_visible()
    assert_accessible(page)
    SAMPLES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SAMPLES / "slip-page-ar-390px.png"), full_page=True)

    page.get_by_role("link", name="A5").click()
    assert "size=a5" in page.url
    pdf = page.get_by_role("link", name="Als PDF herunterladen").get_attribute("href")
    assert pdf is not None and "lang=ar" in pdf and "size=a5" in pdf
