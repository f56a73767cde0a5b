from __future__ import annotations

from typing import Any

from conftest import run


def test_pages_redirect_anonymous_visitors_to_login(client: Any) -> None:
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "Please log in."


def test_login_with_correct_password_opens_a_session(client: Any, make_user: Any,
                                                     login: Any) -> None:
    user = make_user("viewer")
    login(client, user)
    me = client.get("/api/me").json()
    assert me["email"] == user.email
    assert me["memberships"][0]["role"] == "viewer"


def test_login_with_wrong_password_is_refused(client: Any, make_user: Any) -> None:
    user = make_user("viewer")
    client.get("/login")
    response = client.post("/login", data={
        "email": user.email, "password": "wrong-password",
        "csrf_token": client.cookies.get("lotse_csrf"),
    })
    assert response.status_code == 400
    assert "lotse_session" not in client.cookies


def test_login_without_csrf_token_is_refused(client: Any, make_user: Any) -> None:
    user = make_user("viewer")
    response = client.post("/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 403


def test_repeated_failed_logins_are_rate_limited(client: Any, make_user: Any) -> None:
    user = make_user("viewer")
    client.get("/login")
    csrf = client.cookies.get("lotse_csrf")
    statuses = [
        client.post("/login", data={"email": user.email, "password": "nope-nope-nope",
                                    "csrf_token": csrf}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [400] * 5
    assert statuses[5] == 429
    # Even the right password waits until the window has passed.
    ok = client.post("/login", data={"email": user.email, "password": user.password,
                                     "csrf_token": csrf}, follow_redirects=False)
    assert ok.status_code == 429


def test_session_form_post_needs_the_session_csrf_token(client: Any, make_user: Any,
                                                        login: Any) -> None:
    user = make_user("viewer")
    login(client, user)
    del client.headers["X-CSRF-Token"]
    assert client.post("/api/tokens", json={"name": "x"}).status_code == 403


def test_logout_ends_the_session(client: Any, make_user: Any, login: Any) -> None:
    user = make_user("viewer")
    login(client, user)
    assert client.post("/logout", follow_redirects=False).status_code == 303
    assert client.get("/api/me").status_code == 401


def test_api_token_is_shown_once_and_can_be_revoked(client: Any, make_user: Any, login: Any,
                                                    api_client: Any) -> None:
    user = make_user("case_manager")
    login(client, user)
    created = client.post("/api/tokens", json={"name": "Fachverfahren"})
    assert created.status_code == 201
    secret = created.json()["token"]
    listed = client.get("/api/tokens").json()
    assert [t["name"] for t in listed] == ["Fachverfahren"]
    assert "token" not in listed[0]
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/me", headers=bearer).status_code == 200
    assert client.delete(f"/api/tokens/{created.json()['id']}").status_code == 204
    assert client.get("/api/me", headers=bearer).status_code == 401


def test_unknown_bearer_token_gets_401(client: Any) -> None:
    response = client.get("/api/me", headers={"Authorization": "Bearer lotse_nonsense"})
    assert response.status_code == 401


def test_bearer_requests_need_no_csrf_token(api_client: Any, make_user: Any) -> None:
    api = api_client(make_user("viewer"))
    assert api.post("/api/tokens", json={"name": "second"}).status_code == 201


def test_token_name_too_long_is_a_400(api_client: Any, make_user: Any) -> None:
    api = api_client(make_user("viewer"))
    response = api.post("/api/tokens", json={"name": "x" * 101})
    assert response.status_code == 400


def test_login_next_parameter_cannot_leave_the_site(client: Any, make_user: Any) -> None:
    user = make_user("viewer")
    client.get("/login")
    response = client.post("/login", data={
        "email": user.email, "password": user.password, "next": "https://evil.example/",
        "csrf_token": client.cookies.get("lotse_csrf"),
    }, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_passwords_are_stored_as_argon2id(make_user: Any) -> None:
    from accounts.tables import User

    user = make_user("viewer")
    row = run(User.select(User.password_hash).where(User.id == user.id).first())
    assert row is not None and row["password_hash"].startswith("$argon2id$")


def test_a_language_saved_on_the_account_applies_at_log_in(
    client: Any, make_user: Any, login: Any
) -> None:
    from accounts.tables import User

    user = make_user("case_manager")
    run(User.update({User.locale: "en"}).where(User.id == user.id))
    login(client, user)
    assert client.cookies.get("lotse_lang") == "en"
    assert "Log out" in client.get("/").text
