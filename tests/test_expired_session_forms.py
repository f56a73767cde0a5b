"""A form sent after the session ended, or after its security token changed, loses nothing:
log in again and the form is back, as typed, ready to send."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import run

pytestmark = pytest.mark.browser


def _end_sessions() -> None:
    from accounts import auth_cache
    from accounts.tables import LoginSession

    run(LoginSession.delete(force=True))
    # Sessions end here behind the application's back; the server (a thread of this process)
    # would otherwise still recognise the cookie for the cache's half second.
    auth_cache.forget_all()


def _fill_client(page: Any) -> None:
    page.get_by_label("Pseudonym").fill("K-0777")
    page.get_by_label("Vorname").fill("Aylin")
    page.get_by_label("Fallnotizen").fill("Sucht einen Deutschkurs am Vormittag")
    page.get_by_label("Türkisch").check()


def test_after_an_expired_session_log_in_returns_to_the_form_as_typed(
    page: Any, browser_login: Any, make_user: Any
) -> None:
    user = make_user("case_manager")
    browser_login(page, user)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/clients/new")
    _fill_client(page)
    _end_sessions()
    page.get_by_role("button", name="Klient:in erfassen").click()

    page.wait_for_url("**/login?**")
    assert "Ihre Sitzung ist abgelaufen" in page.get_by_role("status").inner_text()
    page.get_by_label("E-Mail").fill(user.email)
    page.get_by_label("Passwort").fill(user.password)
    page.get_by_role("button", name="Anmelden").click()

    page.wait_for_url("**/clients/new**")
    assert "Ihre Eingaben stehen wieder im Formular" in page.get_by_role("status").inner_text()
    assert page.get_by_label("Pseudonym").input_value() == "K-0777"
    assert page.get_by_label("Fallnotizen").input_value() == "Sucht einen Deutschkurs am Vormittag"
    assert page.get_by_label("Türkisch").is_checked()
    assert "restore" not in page.url
    page.get_by_role("button", name="Klient:in erfassen").click()
    page.wait_for_url("**/clients/*?done=*")
    assert "K-0777" in page.inner_text("main")


def test_an_expired_form_comes_back_as_typed_instead_of_an_error_page(
    page: Any, browser_login: Any, make_user: Any
) -> None:
    browser_login(page, make_user("case_manager"))
    page.goto("/clients/new")
    _fill_client(page)
    # As after a log-in in another tab: the page's security token is no longer the session's.
    page.evaluate("document.querySelectorAll('input[name=csrf_token]')"
                  ".forEach(field => { field.value = 'stale'; })")
    page.get_by_role("button", name="Klient:in erfassen").click()
    # The form page strips its restore marker from the address at once, so the address is no
    # sign of arrival; the notice is.
    expect(page.get_by_role("status")).to_contain_text("Ihre Eingaben stehen wieder im Formular")
    assert page.get_by_label("Vorname").input_value() == "Aylin"
    page.get_by_role("button", name="Klient:in erfassen").click()
    page.wait_for_url("**/clients/*?done=*")
