"""Error pages speak German in the German interface: 403, 404 and 405 included."""

from __future__ import annotations

from typing import Any

import pytest

from core.testing.browser import assert_accessible

pytestmark = pytest.mark.browser


def test_forbidden_missing_and_wrong_method_pages_are_german(
    page: Any, make_user: Any, browser_login: Any
) -> None:
    browser_login(page, make_user("viewer"))
    forbidden = page.goto("/admin/users")
    assert forbidden.status == 403
    assert page.get_by_role("alert").inner_text() == "Ihre Rolle erlaubt das nicht."
    assert_accessible(page)
    missing = page.goto("/gibt-es-nicht")
    assert missing.status == 404
    assert page.get_by_role("alert").inner_text() == "Diese Seite gibt es nicht."
    wrong = page.goto("/logout")
    assert wrong.status == 405
    assert "Diese Adresse lässt sich so nicht aufrufen" in page.get_by_role("alert").inner_text()
    assert "Method Not Allowed" not in page.content()
