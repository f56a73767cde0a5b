from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import run
from core.testing.browser import assert_accessible, expect_heading

pytestmark = pytest.mark.browser


def test_account_page_creates_a_token_and_shows_it_once(page: Any, make_user: Any,
                                                        browser_login: Any) -> None:
    user = make_user("case_manager")
    browser_login(page, user)
    page.goto("/account")
    assert page.get_by_role("link", name="Mein Konto").is_visible()
    expect_heading(page, "Mein Konto")
    assert_accessible(page)
    page.get_by_label("Name des neuen Tokens").fill("Fachverfahren")
    # Submitted from the keyboard, as someone without a mouse would.
    page.get_by_label("Name des neuen Tokens").press("Enter")
    secret = page.get_by_label("Token", exact=True).input_value()
    assert secret.startswith("lotse_")
    assert "nur dieses eine Mal" in page.get_by_role("status").first.inner_text()
    assert_accessible(page)
    page.goto("/account")
    assert secret not in page.content()
    assert page.get_by_role("button", name="Token Fachverfahren widerrufen").is_visible()


def test_admin_creates_a_user_in_the_browser(page: Any, make_user: Any, make_org: Any,
                                             browser_login: Any) -> None:
    admin = make_user("network_admin")
    make_org("Caritas Mülheim")
    browser_login(page, admin)
    page.goto("/account")
    page.get_by_role("link", name="Konten", exact=True).click()
    expect_heading(page, "Konten")
    assert_accessible(page)
    page.get_by_role("link", name="Konto anlegen").click()
    assert_accessible(page)
    page.get_by_label("E-Mail", exact=True).fill("jana.kaya@example.org")
    page.get_by_label("Name", exact=True).fill("Jana Kaya")
    page.get_by_label("Organisation", exact=True).select_option(label="Caritas Mülheim")
    page.get_by_label("Rolle", exact=True).select_option("case_manager")
    page.get_by_role("button", name="Konto anlegen").click()
    expect_heading(page, "Jana Kaya")
    link = page.get_by_label("Link", exact=True).input_value()
    assert "/password/" in link
    assert_accessible(page)
    page.goto("/admin/users?email=jana")
    assert page.get_by_role("link", name="Jana Kaya").is_visible()
    assert "Caritas Mülheim: Case Management" in page.content()


def test_password_link_page_sets_a_password(page: Any, make_user: Any,
                                            browser_login: Any) -> None:
    from accounts.password_links import issue_link

    user = make_user("viewer")
    path = urlsplit(run(issue_link(user.id)).link).path
    page.goto(path)
    expect_heading(page, "Passwort festlegen")
    assert_accessible(page)
    page.get_by_label("Neues Passwort", exact=True).fill("kurz-aber")
    page.get_by_label("Neues Passwort wiederholen").fill("kurz-aber")
    # The browser's own check stops a too short password before it is sent.
    page.get_by_role("button", name="Passwort festlegen").click()
    assert page.url.endswith(path)
    page.get_by_label("Neues Passwort", exact=True).fill("ein-gutes-passwort")
    page.get_by_label("Neues Passwort wiederholen").fill("ein-gutes-passwort")
    page.get_by_role("button", name="Passwort festlegen").click()
    assert "Ihr Passwort wurde gesetzt" in page.get_by_role("status").inner_text()
    assert_accessible(page)
    page.goto(path)
    assert "bereits verwendet" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
    user.password = "ein-gutes-passwort"
    browser_login(page, user)
    page.goto("/account")
    expect_heading(page, "Mein Konto")


def test_reloading_the_created_account_sends_nothing_again(
    page: Any, make_user: Any, make_org: Any, browser_login: Any
) -> None:
    from accounts.tables import AuditEntry, User

    admin = make_user("network_admin")
    make_org("Caritas Mülheim")
    browser_login(page, admin)
    page.goto("/admin/users/new")
    page.get_by_label("E-Mail", exact=True).fill("ali.demir@example.org")
    page.get_by_label("Name", exact=True).fill("Ali Demir")
    page.get_by_label("Organisation", exact=True).select_option(label="Caritas Mülheim")
    page.get_by_role("button", name="Konto anlegen").click()
    page.wait_for_url("**/admin/users/*?done=created")
    assert "/password/" in page.get_by_label("Link", exact=True).input_value()
    entries = run(AuditEntry.count())
    page.reload()
    expect_heading(page, "Ali Demir")
    # The one-time link is not shown again, and nothing was sent a second time.
    assert page.get_by_label("Link", exact=True).count() == 0
    assert run(AuditEntry.count()) == entries
    assert run(User.count().where(User.email == "ali.demir@example.org")) == 1
