from __future__ import annotations

import concurrent.futures
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import run

NEW_PASSWORD = "ein-neues-langes-passwort"


def _link_path(user_id: Any) -> str:
    from accounts.password_links import issue_link

    return urlsplit(run(issue_link(user_id)).link).path


def _password_hash(user_id: Any) -> str:
    from accounts.tables import User

    row = run(User.select(User.password_hash).where(User.id == user_id).first())
    assert row is not None
    return str(row["password_hash"])


def _set(client: Any, path: str, password: str, confirmation: str | None = None,
         follow: bool = True) -> Any:
    client.get(path)
    return client.post(path, data={
        "new_password": password, "confirm_password": confirmation or password,
        "csrf_token": client.cookies.get("lotse_csrf"),
    }, follow_redirects=follow)


def _can_log_in(client: Any, email: str, password: str) -> bool:
    client.get("/login")
    response = client.post("/login", data={
        "email": email, "password": password, "csrf_token": client.cookies.get("lotse_csrf"),
    }, follow_redirects=False)
    return bool(response.status_code == 303)


def test_valid_link_sets_the_password(client: Any, make_user: Any) -> None:
    user = make_user("viewer")
    path = _link_path(user.id)
    page = client.get(path)
    assert page.status_code == 200
    assert user.email in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    response = _set(client, path, NEW_PASSWORD, follow=False)
    # Post/redirect/get: the log-in page says it worked; a reload sends nothing again.
    assert response.status_code == 303
    assert response.headers["location"] == "/login?done=password"
    assert "Passwort wurde gesetzt" in client.get(response.headers["location"]).text
    assert "Passwort wurde gesetzt" not in client.get("/login").text
    assert _can_log_in(client, user.email, NEW_PASSWORD)
    assert not _can_log_in(client, user.email, user.password)


def test_link_works_only_once(client: Any, make_user: Any) -> None:
    user = make_user("viewer")
    path = _link_path(user.id)
    assert _set(client, path, NEW_PASSWORD).status_code == 200
    changed = _password_hash(user.id)
    second = _set(client, path, "noch-ein-anderes-passwort")
    assert second.status_code == 400
    assert "bereits verwendet" in second.text
    assert _password_hash(user.id) == changed
    assert client.get(path).status_code == 400


def test_tampered_link_is_refused(client: Any, make_user: Any) -> None:
    user = make_user("viewer")
    path = _link_path(user.id)
    token = path.rsplit("/", 1)[1]
    before = _password_hash(user.id)
    payload, rest = token.split(".", 1)
    for forged in [payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + rest,
                   token[:-3] + ("xyz" if token[-3:] != "xyz" else "abc"), "nonsense",
                   token + "x"]:
        response = _set(client, f"/password/{forged}", NEW_PASSWORD)
        assert response.status_code == 400, forged
        assert "nicht gültig" in response.text
    assert _password_hash(user.id) == before


def test_link_of_another_secret_key_is_refused(make_user: Any) -> None:
    from itsdangerous import URLSafeTimedSerializer

    from accounts.password_links import INVALID, SALT, LinkError, check_link

    user = make_user("viewer")
    forged = URLSafeTimedSerializer("another-secret-key-of-sufficient-length-000",
                                    salt=SALT).dumps({"u": str(user.id), "p": "0" * 32})
    with pytest.raises(LinkError) as refused:
        run(check_link(forged))
    assert refused.value.message == INVALID


def test_expired_link_is_refused(make_user: Any) -> None:
    from accounts.password_links import (
        EXPIRED,
        LINK_LIFETIME,
        LinkError,
        check_link,
        set_password_with_link,
    )

    user = make_user("viewer")
    token = _link_path(user.id).rsplit("/", 1)[1]
    before = _password_hash(user.id)
    almost = datetime.now(UTC) + LINK_LIFETIME - timedelta(minutes=1)
    assert run(check_link(token, now=almost))["email"] == user.email
    later = datetime.now(UTC) + LINK_LIFETIME + timedelta(minutes=1)
    with pytest.raises(LinkError) as refused:
        run(set_password_with_link(token, NEW_PASSWORD, NEW_PASSWORD, now=later))
    assert refused.value.message == EXPIRED
    assert _password_hash(user.id) == before


def test_short_or_differing_passwords_are_refused(client: Any, make_user: Any) -> None:
    user = make_user("viewer")
    path = _link_path(user.id)
    before = _password_hash(user.id)
    short = _set(client, path, "kurz")
    assert short.status_code == 400 and "mindestens 10 Zeichen" in short.text
    differ = _set(client, path, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert differ.status_code == 400 and "unterscheiden sich" in differ.text
    assert _password_hash(user.id) == before
    # The link still works after the refusals.
    assert _set(client, path, NEW_PASSWORD).status_code == 200


def test_setting_a_password_ends_the_users_sessions(client: Any, make_user: Any,
                                                    login: Any) -> None:
    from litestar.testing import TestClient

    from app import create_app

    user = make_user("viewer")
    login(client, user)
    with TestClient(app=create_app()) as other:
        assert _set(other, _link_path(user.id), NEW_PASSWORD).status_code == 200
    assert client.get("/api/me").status_code == 401


def test_link_for_a_deactivated_user_is_refused(client: Any, make_user: Any) -> None:
    from accounts.tables import User

    user = make_user("viewer")
    path = _link_path(user.id)
    run(User.update({User.is_active: False}).where(User.id == user.id))
    assert _set(client, path, NEW_PASSWORD).status_code == 400


def test_admin_creates_a_link_through_the_api(client: Any, make_user: Any,
                                              api_client: Any) -> None:
    user = make_user("case_manager")
    api = api_client(make_user("network_admin"))
    response = api.post(f"/api/users/{user.id}/password-link")
    assert response.status_code == 201
    link = response.json()
    expires = datetime.fromisoformat(link["expires_at"])
    assert timedelta(days=2) < expires - datetime.now(UTC) <= timedelta(days=3)
    assert _set(client, urlsplit(link["link"]).path, NEW_PASSWORD).status_code == 200
    assert _can_log_in(client, user.email, NEW_PASSWORD)


def test_invited_user_sets_a_first_password(client: Any, make_user: Any,
                                            api_client: Any) -> None:
    api = api_client(make_user("network_admin"))
    created = api.post("/api/users", json={"email": "neu@example.org",
                                           "display_name": "Neu Hier"}).json()
    path = urlsplit(created["password_link"]["link"]).path
    assert _set(client, path, NEW_PASSWORD).status_code == 200
    assert _can_log_in(client, "neu@example.org", NEW_PASSWORD)


def test_own_password_change_needs_the_current_password(client: Any, make_user: Any,
                                                        login: Any) -> None:
    user = make_user("viewer")
    login(client, user)
    before = _password_hash(user.id)
    wrong = client.post("/account/password", data={
        "current_password": "not-my-password", "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD})
    assert wrong.status_code == 400
    assert "aktuelle Passwort ist nicht korrekt" in wrong.text
    assert _password_hash(user.id) == before
    short = client.post("/account/password", data={
        "current_password": user.password, "new_password": "kurz", "confirm_password": "kurz"})
    assert short.status_code == 400
    assert _password_hash(user.id) == before
    ok = client.post("/account/password", data={
        "current_password": user.password, "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD}, follow_redirects=False)
    assert ok.status_code == 303
    assert client.get("/api/me").status_code == 200, "the own session stays open"
    client.post("/logout")
    del client.headers["X-CSRF-Token"]
    assert _can_log_in(client, user.email, NEW_PASSWORD)


def test_own_password_change_ends_other_sessions(client: Any, make_user: Any,
                                                 login: Any) -> None:
    from litestar.testing import TestClient

    from app import create_app

    user = make_user("viewer")
    login(client, user)
    with TestClient(app=create_app()) as other:
        login(other, user)
        response = other.post("/account/password", data={
            "current_password": user.password, "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD}, follow_redirects=False)
        assert response.status_code == 303
        assert other.get("/api/me").status_code == 200
    assert client.get("/api/me").status_code == 401


def test_password_form_without_csrf_token_is_refused(client: Any, make_user: Any,
                                                     login: Any) -> None:
    user = make_user("viewer")
    login(client, user)
    del client.headers["X-CSRF-Token"]
    before = _password_hash(user.id)
    response = client.post("/account/password", data={
        "current_password": user.password, "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD})
    assert response.status_code == 403
    assert _password_hash(user.id) == before


def _invoke(args: list[str]) -> Any:
    """Runs `lotse ...` in a thread of its own: the command starts its own event loop."""
    from click.testing import CliRunner

    from cli import add_domain_commands, main

    add_domain_commands()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(CliRunner().invoke, main, args).result()


def test_cli_prints_a_working_reset_link(make_user: Any) -> None:
    from litestar.testing import TestClient

    from app import create_app

    user = make_user("viewer")
    result = _invoke(["users", "reset-link", "--email", user.email.upper()])
    assert result.exit_code == 0, result.output
    match = re.search(r"(/password/\S+)", result.output)
    assert match is not None
    with TestClient(app=create_app()) as client:
        assert _set(client, match.group(1), NEW_PASSWORD).status_code == 200
    unknown = _invoke(["users", "reset-link", "--email", "nobody@example.org"])
    assert unknown.exit_code == 1
    assert "no user with the e-mail" in unknown.output


def test_cli_adds_a_role_and_deactivates(make_user: Any, make_org: Any) -> None:
    from accounts.tables import Membership, User

    admin = make_user("network_admin")
    user = make_user("viewer")
    org = make_org("Volkshochschule")
    added = _invoke(["users", "add-role", "--email", user.email,
                     "--organization", str(org), "--role", "provider_staff"])
    assert added.exit_code == 0, added.output
    roles = run(Membership.select(Membership.role).where(Membership.user == user.id))
    assert {r["role"] for r in roles} == {"viewer", "provider_staff"}
    bad = _invoke(["users", "add-role", "--email", user.email,
                   "--organization", str(org), "--role", "king"])
    assert bad.exit_code == 2
    done = _invoke(["users", "deactivate", "--email", user.email])
    assert done.exit_code == 0, done.output
    row = run(User.select(User.is_active).where(User.id == user.id).first())
    assert row is not None and row["is_active"] is False
    last = _invoke(["users", "deactivate", "--email", admin.email])
    assert last.exit_code == 1
    assert "last active network administrator" in last.output


async def test_a_link_used_twice_at_the_same_moment_sets_one_password(make_user: Any) -> None:
    import asyncio

    from accounts.password_links import LinkError, set_password_with_link
    from accounts.passwords import verify_password

    user = make_user("viewer")
    token = _link_path(user.id).rsplit("/", 1)[1]
    results = await asyncio.gather(
        set_password_with_link(token, "erstes-passwort-1", "erstes-passwort-1"),
        set_password_with_link(token, "zweites-passwort-2", "zweites-passwort-2"),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, LinkError)]
    assert len(refused) == 1, results
    stored = _password_hash(user.id)
    assert verify_password(stored, "erstes-passwort-1") != verify_password(
        stored, "zweites-passwort-2")
