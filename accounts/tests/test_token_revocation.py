"""API tokens after a password change, and revoking all of one's tokens at once.

A password set through a link revokes every token; a change on the account page revokes them
unless the person chooses to keep them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from conftest import run

NEW_PASSWORD = "ein-neues-passwort-42"


def _token(user: Any, name: str = "Fachverfahren") -> str:
    from accounts.credentials import issue_token

    return run(issue_token(user.id, name))[1]


def _works(_client: Any, secret: str) -> bool:
    from accounts.credentials import find_token_user

    return run(find_token_user(secret)) is not None


def _change_password(client: Any, user: Any, **extra: str) -> Any:
    return client.post("/account/password", data={
        "current_password": user.password, "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD, **extra,
    }, follow_redirects=False)


def test_password_change_revokes_api_tokens(client: Any, make_user: Any, login: Any) -> None:
    user = make_user("case_manager")
    secret = _token(user)
    login(client, user)
    client.headers["Accept"] = "text/html"
    response = _change_password(client, user)
    assert response.status_code == 303
    assert not _works(client, secret)
    page = client.get(response.headers["location"]).text
    assert "wurden beendet und Ihre API-Tokens widerrufen" in page


def test_password_change_keeps_tokens_when_asked(client: Any, make_user: Any,
                                                 login: Any) -> None:
    user = make_user("case_manager")
    secret = _token(user)
    login(client, user)
    assert _change_password(client, user, keep_tokens="on").status_code == 303
    assert _works(client, secret)


def test_password_set_through_a_link_revokes_api_tokens(client: Any, make_user: Any) -> None:
    from accounts.audit import verify_chain
    from accounts.password_links import issue_link
    from accounts.tables import AuditEntry

    user = make_user("viewer")
    secret = _token(user)
    path = urlsplit(run(issue_link(user.id)).link).path
    client.get(path)
    response = client.post(path, data={"new_password": NEW_PASSWORD,
                                       "confirm_password": NEW_PASSWORD,
                                       "csrf_token": client.cookies.get("lotse_csrf")})
    assert response.status_code == 200, response.text
    assert not _works(client, secret)
    entry = run(AuditEntry.select().where(AuditEntry.action == "password.set_by_link").first())
    assert entry is not None and entry["actor_user"] == user.id
    assert run(verify_chain()).ok


def test_revoke_all_tokens_through_the_api(make_user: Any, api_client: Any,
                                           client: Any) -> None:
    user = make_user("provider_staff")
    others = [_token(user, "eins"), _token(user, "zwei")]
    api = api_client(user)
    response = api.post("/api/tokens/revoke-all")
    assert response.status_code == 200
    assert response.json() == {"revoked": 3}
    # Including the token the request came with.
    assert api.get("/api/me").status_code == 401
    assert not any(_works(client, secret) for secret in others)


def test_revoke_all_tokens_on_the_account_page(client: Any, make_user: Any, login: Any) -> None:
    user = make_user("viewer")
    secrets = [_token(user, "eins"), _token(user, "zwei")]
    stranger = make_user("viewer")
    foreign = _token(stranger)
    login(client, user)
    client.headers["Accept"] = "text/html"
    assert "Alle meine Tokens widerrufen" in client.get("/account").text
    response = client.post("/account/tokens/revoke-all", follow_redirects=False)
    assert response.status_code == 303
    assert not any(_works(client, secret) for secret in secrets)
    assert _works(client, foreign)
    assert "Alle Ihre API-Tokens wurden widerrufen." in client.get(
        response.headers["location"]).text
