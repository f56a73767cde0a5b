"""A language saved on the account follows the person to another browser, German included."""

from __future__ import annotations

from typing import Any

import pytest

from core.testing.browser import expect_heading

pytestmark = pytest.mark.browser


def test_german_saved_on_the_account_outweighs_an_english_browser(
    page: Any, _browser: Any, live_server: Any, make_user: Any, browser_login: Any
) -> None:
    user = make_user("case_manager")
    browser_login(page, user)
    page.goto("/account")
    page.get_by_label("Sprache der Seiten und E-Mails").select_option("de")
    page.get_by_role("button", name="Sprache speichern").click()
    assert "gespeichert" in page.get_by_role("status").first.inner_text()

    english = _browser.new_context(base_url=live_server.url, locale="en-US")
    try:
        other = english.new_page()
        other.goto("/login")
        other.get_by_label("E-mail").fill(user.email)
        other.get_by_label("Password").fill(user.password)
        other.get_by_role("button", name="Log in").click()
        other.wait_for_url(lambda url: "/login" not in url)
        other.goto("/account")
        expect_heading(other, "Mein Konto")
    finally:
        english.close()


def test_a_new_account_follows_the_browsers_language(
    _browser: Any, live_server: Any, make_user: Any
) -> None:
    user = make_user("case_manager")
    english = _browser.new_context(base_url=live_server.url, locale="en-US")
    try:
        other = english.new_page()
        other.goto("/login")
        other.get_by_label("E-mail").fill(user.email)
        other.get_by_label("Password").fill(user.password)
        other.get_by_role("button", name="Log in").click()
        other.wait_for_url(lambda url: "/login" not in url)
        other.goto("/account")
        expect_heading(other, "My account")
    finally:
        english.close()
