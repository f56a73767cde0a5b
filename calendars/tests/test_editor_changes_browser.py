"""Schedule entries can be changed, not only deleted, and a refused form keeps what was typed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.testing.browser import assert_accessible, expect_heading

pytestmark = pytest.mark.browser


def test_a_refused_entry_keeps_the_typed_input_and_an_entry_can_be_changed(
    page: Any, offer: Any, make_user: Any, browser_login: Any
) -> None:
    browser_login(page, make_user("provider_staff", offer.organization_id))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/calendars/services/{offer.service_id}/schedule")
    weekly = page.locator("form", has=page.locator("input[name=form][value=weekly]"))
    weekly.get_by_label("Öffnet um").fill("09:00")
    weekly.get_by_label("Schließt um").fill("12:30")
    weekly.get_by_label("Nur nach Terminvereinbarung").check()
    weekly.get_by_label("Hinweis").fill("Bitte Ausweis mitbringen")
    weekly.get_by_role("button", name="Wöchentliche Zeiten speichern").click()

    assert "Wochentag" in page.get_by_role("alert").inner_text()
    weekly = page.locator("form", has=page.locator("input[name=form][value=weekly]"))
    assert weekly.get_by_label("Öffnet um").input_value() == "09:00"
    assert weekly.get_by_label("Schließt um").input_value() == "12:30"
    assert weekly.get_by_label("Nur nach Terminvereinbarung").is_checked()
    assert weekly.get_by_label("Hinweis").input_value() == "Bitte Ausweis mitbringen"
    assert_accessible(page)
    weekly.get_by_label("Dienstag").check()
    weekly.get_by_role("button", name="Wöchentliche Zeiten speichern").click()
    page.wait_for_url("**done=rule-added**")
    assert "Di 09:00–12:30" in page.inner_text("main")

    page.get_by_role("link", name="Ändern: Di 09:00–12:30", exact=False).click()
    expect_heading(page, re.compile("^Eintrag ändern"))
    weekly = page.locator("form", has=page.locator("input[name=form][value=weekly]"))
    assert weekly.get_by_label("Dienstag").is_checked()
    assert weekly.get_by_label("Hinweis").input_value() == "Bitte Ausweis mitbringen"
    assert_accessible(page)
    weekly.get_by_label("Donnerstag").check()
    weekly.get_by_label("Schließt um").fill("13:00")
    weekly.get_by_role("button", name="Wöchentliche Zeiten speichern").click()
    page.wait_for_url("**done=rule-changed**")
    current = page.locator("section", has=page.get_by_role("heading", name="Aktuelle Einträge"))
    assert "Di, Do 09:00–13:00" in current.inner_text()
    assert "12:30" not in current.inner_text()
