from __future__ import annotations

from typing import Any

import pytest

from core.testing.browser import assert_accessible, expect_heading

pytestmark = pytest.mark.browser


def test_login_page_is_accessible_and_logs_in(page: Any, make_user: Any,
                                              browser_login: Any) -> None:
    user = make_user("viewer")
    page.goto("/login")
    expect_heading(page, "Bei Lotse anmelden")
    assert_accessible(page)
    browser_login(page, user)
    page.goto("/login")
    assert page.get_by_role("button", name="Abmelden").is_visible()


def test_wrong_password_shows_an_alert(page: Any, make_user: Any) -> None:
    user = make_user("viewer")
    page.goto("/login")
    page.get_by_label("E-Mail").fill(user.email)
    page.get_by_label("Passwort").fill("not-the-password")
    page.get_by_role("button", name="Anmelden").click()
    assert "nicht korrekt" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
