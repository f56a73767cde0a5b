from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import run


@pytest.fixture(autouse=True)
def _asks_for_html(client: Any) -> None:
    client.headers["Accept"] = "text/html,application/xhtml+xml"


def _locale(user_id: Any) -> str:
    from accounts.tables import User

    row = run(User.select(User.locale).where(User.id == user_id).first())
    assert row is not None
    return str(row["locale"])


def _active_tokens(user_id: Any) -> int:
    from accounts.tables import ApiToken

    return int(run(ApiToken.count().where((ApiToken.user == user_id)
                                          & ApiToken.revoked_at.is_null())))


def test_account_page_needs_a_login(client: Any) -> None:
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account"


@pytest.mark.parametrize("role", ["network_admin", "case_manager", "provider_staff", "viewer"])
def test_account_page_shows_details_and_memberships(role: str, client: Any, make_user: Any,
                                                    make_org: Any, login: Any) -> None:
    org = make_org("Diakonie an der Ruhr")
    user = make_user(role, organization_id=org)
    login(client, user)
    page = client.get("/account")
    assert page.status_code == 200
    assert user.email in page.text and f"Test {role}" in page.text
    assert "Diakonie an der Ruhr" in page.text
    labels = {"network_admin": "Netzwerkverwaltung", "case_manager": "Case Management",
              "provider_staff": "Mitarbeit beim Anbieter", "viewer": "Lesezugriff"}
    assert f"Diakonie an der Ruhr: {labels[role]}" in page.text


def test_language_preference_is_saved(client: Any, make_user: Any, login: Any) -> None:
    user = make_user("viewer")
    login(client, user)
    response = client.post("/account/language", data={"lang": "en"}, follow_redirects=False)
    assert response.status_code == 303
    assert _locale(user.id) == "en"
    page = client.get(response.headers["location"]).text
    assert '<html lang="en">' in page and "Your language has been saved." in page
    refused = client.post("/account/language", data={"lang": "tlh"})
    assert refused.status_code == 400
    assert _locale(user.id) == "en"


def test_language_switch_in_the_header_saves_the_preference(client: Any, make_user: Any,
                                                            login: Any) -> None:
    user = make_user("viewer")
    login(client, user)
    client.post("/language", data={"lang": "en"})
    assert _locale(user.id) == "en"


def test_new_token_is_shown_once_and_works(client: Any, make_user: Any, login: Any) -> None:
    user = make_user("case_manager")
    login(client, user)
    response = client.post("/account/tokens", data={"name": "Fachverfahren"},
                           follow_redirects=False)
    # Post/redirect/get: reloading the page that shows the token creates no second one.
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    shown = client.get("/account")
    assert shown.headers["cache-control"] == "no-store"
    match = re.search(r'id="new-token"[^>]*value="(lotse_[^"]+)"', shown.text)
    assert match is not None
    secret = match.group(1)
    assert _active_tokens(user.id) == 1
    again = client.get("/account").text
    assert secret not in again
    assert "Fachverfahren" in again and secret[:12] in again
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_token_needs_a_name(client: Any, make_user: Any, login: Any) -> None:
    user = make_user("viewer")
    login(client, user)
    for name in ["", "   ", "x" * 101]:
        response = client.post("/account/tokens", data={"name": name})
        assert response.status_code == 400
        assert "Geben Sie dem Token einen Namen" in response.text
    assert _active_tokens(user.id) == 0


def test_token_is_revoked_from_the_page(client: Any, make_user: Any, login: Any) -> None:
    from accounts.credentials import issue_token

    user = make_user("viewer")
    token_id, secret = run(issue_token(user.id, "alt"))
    login(client, user)
    response = client.post(f"/account/tokens/{token_id}/revoke", follow_redirects=False)
    assert response.status_code == 303
    assert _active_tokens(user.id) == 0
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    page = client.get(response.headers["location"]).text
    assert "Das Token wurde widerrufen." in page and "widerrufen am" in page


def test_tokens_of_others_cannot_be_revoked(client: Any, make_user: Any, login: Any) -> None:
    from accounts.credentials import issue_token

    owner = make_user("viewer")
    token_id, _secret = run(issue_token(owner.id, "fremd"))
    login(client, make_user("network_admin"))
    response = client.post(f"/account/tokens/{token_id}/revoke")
    assert response.status_code == 404
    assert _active_tokens(owner.id) == 1
    assert "fremd" not in client.get("/account").text


def test_account_forms_need_the_csrf_token(client: Any, make_user: Any, login: Any) -> None:
    user = make_user("viewer")
    login(client, user)
    del client.headers["X-CSRF-Token"]
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 403
    assert client.post("/account/language", data={"lang": "en"}).status_code == 403
    assert _active_tokens(user.id) == 0
    assert _locale(user.id) == "de"
