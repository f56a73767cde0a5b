from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from conftest import run

NON_ADMIN_ROLES = ["case_manager", "provider_staff", "viewer"]


def _counts() -> tuple[int, int]:
    from accounts.tables import Membership, User

    return run(User.count()), run(Membership.count())


def _endpoints(target: Any, membership_id: Any) -> list[tuple[str, str, Any]]:
    user_path = f"/api/users/{target.id}"
    return [
        ("GET", "/api/users", None),
        ("POST", "/api/users", {"email": "new@example.org", "display_name": "Neu"}),
        ("GET", user_path, None),
        ("PATCH", user_path, {"display_name": "Anders"}),
        ("POST", f"{user_path}/memberships",
         {"organization_id": str(target.organization_id), "role": "viewer"}),
        ("DELETE", f"{user_path}/memberships/{membership_id}", None),
        ("POST", f"{user_path}/password-link", None),
    ]


def _membership_id(user: Any) -> Any:
    from accounts.tables import Membership

    row = run(Membership.select(Membership.id).where(Membership.user == user.id).first())
    assert row is not None
    return row["id"]


def _send(client: Any, method: str, path: str, body: Any) -> Any:
    return client.request(method, path, json=body) if body is not None else client.request(
        method, path)


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_only_network_admins_may_manage_users(role: str, make_user: Any,
                                              api_client: Any) -> None:
    target = make_user("viewer")
    api = api_client(make_user(role))
    before = _counts()
    for method, path, body in _endpoints(target, _membership_id(target)):
        response = _send(api, method, path, body)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["detail"] == "Your role does not allow this."
    assert _counts() == before


def test_anonymous_visitors_get_401_on_the_user_api(client: Any, make_user: Any) -> None:
    target = make_user("viewer")
    before = _counts()
    for method, path, body in _endpoints(target, _membership_id(target)):
        response = _send(client, method, path, body)
        assert response.status_code == 401, (method, path)
    assert _counts() == before


def test_network_admin_reaches_every_user_endpoint(make_user: Any, api_client: Any) -> None:
    admin = make_user("network_admin")
    target = make_user("viewer")
    api = api_client(admin)
    expected = [200, 201, 200, 200, 409, 204, 201]
    # The membership POST repeats the organisation the target is already in: 409 by design.
    for (method, path, body), status in zip(_endpoints(target, _membership_id(target)),
                                            expected, strict=True):
        response = _send(api, method, path, body)
        assert response.status_code == status, (method, path, response.text)


def test_session_admin_needs_csrf_token_for_changes(client: Any, make_user: Any,
                                                    login: Any) -> None:
    admin = make_user("network_admin")
    target = make_user("viewer")
    login(client, admin)
    del client.headers["X-CSRF-Token"]
    response = client.patch(f"/api/users/{target.id}", json={"display_name": "X"})
    assert response.status_code == 403
    assert client.get(f"/api/users/{target.id}").json()["display_name"] != "X"


def test_create_user_with_password_and_membership(make_user: Any, make_org: Any,
                                                  api_client: Any, client: Any) -> None:
    api = api_client(make_user("network_admin"))
    org = make_org("Caritas Mülheim")
    response = api.post("/api/users", json={
        "email": " Anna.Berg@Example.org ", "display_name": "Anna Berg",
        "password": "ein-langes-passwort", "locale": "en",
        "memberships": [{"organization_id": str(org), "role": "case_manager"}],
    })
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["password_link"] is None
    assert body["user"]["email"] == "anna.berg@example.org"
    assert body["user"]["locale"] == "en"
    assert [(m["organization_name"], m["role"]) for m in body["user"]["memberships"]] == [
        ("Caritas Mülheim", "case_manager")]
    client.get("/login")
    login = client.post("/login", data={
        "email": "anna.berg@example.org", "password": "ein-langes-passwort",
        "csrf_token": client.cookies.get("lotse_csrf")}, follow_redirects=False)
    assert login.status_code == 303


def test_create_user_without_password_returns_a_link_and_no_password_works(
        make_user: Any, api_client: Any, client: Any) -> None:
    api = api_client(make_user("network_admin"))
    response = api.post("/api/users", json={"email": "ohne@example.org",
                                            "display_name": "Ohne Passwort"})
    assert response.status_code == 201
    link = response.json()["password_link"]
    assert "/password/" in link["link"] and link["expires_at"]
    client.get("/login")
    for guess in ["", "!unset:", "lotse-no-such-user"]:
        attempt = client.post("/login", data={"email": "ohne@example.org", "password": guess,
                                              "csrf_token": client.cookies.get("lotse_csrf")})
        assert attempt.status_code == 400


def test_duplicate_email_is_a_409(make_user: Any, api_client: Any) -> None:
    existing = make_user("viewer")
    api = api_client(make_user("network_admin"))
    before = _counts()
    response = api.post("/api/users", json={"email": existing.email.upper(),
                                            "display_name": "Zweite"})
    assert response.status_code == 409
    assert "exists already" in response.json()["detail"]
    assert _counts() == before


@pytest.mark.parametrize(("body", "message"), [
    ({"email": "a@example.org", "display_name": "A", "is_admin": True}, "is_admin"),
    ({"email": "not-an-address", "display_name": "A"}, "not an e-mail address"),
    ({"email": "a@example.org", "display_name": "A", "password": "short"}, "at least 10"),
    ({"email": "a@example.org", "display_name": "   "}, "Enter the person's name"),
    ({"email": "a@example.org", "display_name": "A" * 256}, "display_name"),
    ({"email": "a@example.org", "display_name": "A", "locale": "fr"}, "locale"),
    ({"email": "a@example.org", "display_name": "A",
      "memberships": [{"organization_id": "ORG", "role": "superuser"}]}, "Unknown role"),
    ({"email": "a@example.org", "display_name": "A",
      "memberships": [{"organization_id": "UNKNOWN", "role": "viewer"}]}, "no organisation"),
    ({"email": "a@example.org", "display_name": "A",
      "memberships": [{"organization_id": "not-a-uuid", "role": "viewer"}]}, "organization_id"),
    ({"email": "a@example.org", "display_name": "A",
      "memberships": [{"organization_id": "ORG", "role": "viewer"},
                      {"organization_id": "ORG", "role": "case_manager"}]}, "only once"),
])
def test_invalid_new_user_is_refused_and_nothing_is_written(
        body: dict[str, Any], message: str, make_user: Any, api_client: Any) -> None:
    admin = make_user("network_admin")
    api = api_client(admin)
    for membership in body.get("memberships", []):
        membership["organization_id"] = {"ORG": str(admin.organization_id),
                                         "UNKNOWN": str(uuid4())}.get(
            membership["organization_id"], membership["organization_id"])
    before = _counts()
    response = api.post("/api/users", json=body)
    assert response.status_code == 400, response.text
    assert message in response.text
    assert _counts() == before


def test_list_filters_by_organisation_role_and_email(make_user: Any, make_org: Any,
                                                     api_client: Any) -> None:
    admin = make_user("network_admin", email="chefin@kim.example")
    caritas = make_org("Caritas")
    case = make_user("case_manager", organization_id=caritas, email="fall_1@caritas.example")
    make_user("viewer", organization_id=caritas, email="lesen@caritas.example")
    make_user("case_manager", email="fallx1@awo.example")
    api = api_client(admin)

    def emails(**params: Any) -> list[str]:
        response = api.get("/api/users", params=params)
        assert response.status_code == 200, response.text
        return [u["email"] for u in response.json()["items"]]

    assert emails(organization=str(caritas)) == ["fall_1@caritas.example",
                                                 "lesen@caritas.example"]
    assert emails(organization=str(caritas), role="case_manager") == [case.email]
    assert emails(role="network_admin") == [admin.email]
    # "_" is matched literally, not as a wildcard.
    assert emails(email="FALL_1") == [case.email]
    assert emails(email="caritas") == ["fall_1@caritas.example", "lesen@caritas.example"]


def test_list_is_paginated(make_user: Any, make_org: Any, api_client: Any) -> None:
    org = make_org("Viele")
    admin = make_user("network_admin", organization_id=org, email="a-admin@example.org")
    for n in range(4):
        make_user("viewer", organization_id=org, email=f"b{n}@example.org")
    api = api_client(admin)
    page = api.get("/api/users", params={"per_page": 2, "page": 2}).json()
    assert page["total"] == 5 and page["page"] == 2 and page["per_page"] == 2
    assert [u["email"] for u in page["items"]] == ["b1@example.org", "b2@example.org"]


@pytest.mark.parametrize("params", [
    {"organization": "nope"}, {"role": "king"}, {"page": 0}, {"per_page": 1000},
    {"active": "maybe"},
])
def test_bad_list_parameters_are_a_400(params: dict[str, Any], make_user: Any,
                                       api_client: Any) -> None:
    api = api_client(make_user("network_admin"))
    assert api.get("/api/users", params=params).status_code == 400


def test_unknown_and_malformed_user_ids(make_user: Any, api_client: Any) -> None:
    api = api_client(make_user("network_admin"))
    before = _counts()
    assert api.get(f"/api/users/{uuid4()}").status_code == 404
    assert api.patch(f"/api/users/{uuid4()}", json={"display_name": "X"}).status_code == 404
    assert api.get("/api/users/not-a-uuid").status_code == 404
    assert api.patch("/api/users/not-a-uuid", json={"display_name": "X"}).status_code == 404
    assert api.post(f"/api/users/{uuid4()}/password-link").status_code == 404
    assert _counts() == before


def test_patch_changes_only_the_given_fields(make_user: Any, api_client: Any) -> None:
    target = make_user("viewer")
    api = api_client(make_user("network_admin"))
    response = api.patch(f"/api/users/{target.id}", json={"locale": "en"})
    assert response.status_code == 200
    body = response.json()
    assert body["locale"] == "en"
    assert body["display_name"] == "Test viewer 1"
    assert body["is_active"] is True


@pytest.mark.parametrize("body", [
    {"email": "other@example.org"}, {"display_name": ""}, {"display_name": "  "},
    {"locale": "xx"}, {"is_active": "no"}, {"display_name": "x" * 256},
])
def test_bad_patch_is_refused_and_changes_nothing(body: dict[str, Any], make_user: Any,
                                                  api_client: Any) -> None:
    target = make_user("viewer")
    api = api_client(make_user("network_admin"))
    before = api.get(f"/api/users/{target.id}").json()
    assert api.patch(f"/api/users/{target.id}", json=body).status_code == 400
    assert api.get(f"/api/users/{target.id}").json() == before


def test_deactivation_ends_sessions_and_revokes_tokens(client: Any, make_user: Any,
                                                       login: Any, api_client: Any) -> None:
    from accounts.tables import ApiToken, LoginSession

    target = make_user("case_manager")
    login(client, target)
    target_api = api_client(target)
    assert target_api.get("/api/me").status_code == 200
    admin_api = api_client(make_user("network_admin"))
    response = admin_api.patch(f"/api/users/{target.id}", json={"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get("/api/me").status_code == 401
    assert target_api.get("/api/me").status_code == 401
    assert run(LoginSession.count().where(LoginSession.user == target.id)) == 0
    assert run(ApiToken.count().where((ApiToken.user == target.id)
                                      & ApiToken.revoked_at.is_null())) == 0
    del client.headers["X-CSRF-Token"]
    client.get("/login")
    again = client.post("/login", data={"email": target.email, "password": target.password,
                                        "csrf_token": client.cookies.get("lotse_csrf")})
    assert again.status_code == 400
    # Reactivated, the person can log in again; the old tokens stay revoked.
    assert admin_api.patch(f"/api/users/{target.id}",
                           json={"is_active": True}).json()["is_active"] is True
    login(client, target)
    assert target_api.get("/api/me").status_code == 401


def test_admin_cannot_deactivate_themselves(make_user: Any, api_client: Any) -> None:
    admin = make_user("network_admin")
    make_user("network_admin")
    api = api_client(admin)
    response = api.patch(f"/api/users/{admin.id}", json={"is_active": False})
    assert response.status_code == 409
    assert "your own account" in response.json()["detail"]
    assert api.get("/api/me").status_code == 200


def test_add_and_remove_membership(make_user: Any, make_org: Any, api_client: Any) -> None:
    target = make_user("viewer")
    other = make_org("Diakonie")
    api = api_client(make_user("network_admin"))
    added = api.post(f"/api/users/{target.id}/memberships",
                     json={"organization_id": str(other), "role": "provider_staff"})
    assert added.status_code == 201
    assert added.json()["organization_name"] == "Diakonie"
    roles = {m["role"] for m in api.get(f"/api/users/{target.id}").json()["memberships"]}
    assert roles == {"viewer", "provider_staff"}
    removed = api.delete(f"/api/users/{target.id}/memberships/{added.json()['id']}")
    assert removed.status_code == 204
    roles = {m["role"] for m in api.get(f"/api/users/{target.id}").json()["memberships"]}
    assert roles == {"viewer"}


@pytest.mark.parametrize(("body", "status"), [
    ({"organization_id": "ORG", "role": "emperor"}, 400),
    ({"organization_id": "UNKNOWN", "role": "viewer"}, 400),
    ({"organization_id": "bad", "role": "viewer"}, 400),
    ({"organization_id": "ORG", "role": "viewer", "extra": 1}, 400),
    ({"role": "viewer"}, 400),
    ({"organization_id": "OWN", "role": "case_manager"}, 409),
])
def test_invalid_membership_is_refused(body: dict[str, Any], status: int, make_user: Any,
                                       make_org: Any, api_client: Any) -> None:
    target = make_user("viewer")
    org = make_org("Frei")
    if "organization_id" in body:
        body["organization_id"] = {"ORG": str(org), "UNKNOWN": str(uuid4()),
                                   "OWN": str(target.organization_id)}.get(
            body["organization_id"], body["organization_id"])
    api = api_client(make_user("network_admin"))
    before = _counts()
    response = api.post(f"/api/users/{target.id}/memberships", json=body)
    assert response.status_code == status, response.text
    assert _counts() == before


def test_membership_of_another_user_cannot_be_removed_through_this_user(
        make_user: Any, api_client: Any) -> None:
    one, two = make_user("viewer"), make_user("viewer")
    api = api_client(make_user("network_admin"))
    before = _counts()
    response = api.delete(f"/api/users/{one.id}/memberships/{_membership_id(two)}")
    assert response.status_code == 404
    assert _counts() == before


def test_last_network_admin_cannot_lose_the_role(make_user: Any, api_client: Any) -> None:
    admin = make_user("network_admin")
    api = api_client(admin)
    own = _membership_id(admin)
    response = api.delete(f"/api/users/{admin.id}/memberships/{own}")
    assert response.status_code == 409
    assert "last active network administrator" in response.json()["detail"]
    assert _counts()[1] == 1
    # With a second admin, the first may step down.
    second = make_user("network_admin")
    assert api.delete(f"/api/users/{admin.id}/memberships/{own}").status_code == 204
    # ... and the second is now the last one.
    second_api = api_client(second)
    response = second_api.delete(f"/api/users/{second.id}/memberships/{_membership_id(second)}")
    assert response.status_code == 409


def test_last_active_network_admin_cannot_be_deactivated(make_user: Any, api_client: Any) -> None:
    admin = make_user("network_admin")
    other = make_user("network_admin")
    api = api_client(admin)
    assert api.patch(f"/api/users/{other.id}", json={"is_active": False}).status_code == 200
    # `other` is deactivated, so it no longer counts: `admin` is the last active one.
    from accounts.admin_audit import SYSTEM
    from accounts.management import update_member
    from core.errors import ConflictError

    with pytest.raises(ConflictError):
        run(update_member(admin.id, by=SYSTEM, is_active=False))
    response = api.delete(f"/api/users/{admin.id}/memberships/{_membership_id(admin)}")
    assert response.status_code == 409


def test_user_api_is_in_the_openapi_document(make_user: Any, api_client: Any) -> None:
    api = api_client(make_user("viewer"))
    operations = {
        op["operationId"]
        for path in api.get("/schema/openapi.json").json()["paths"].values()
        for op in path.values()
    }
    assert {"listUsers", "createUser", "getUser", "updateUser", "addMembership",
            "removeMembership", "createPasswordLink"} <= operations


async def test_two_admins_stepping_down_at_once_leave_one_admin(make_user: Any) -> None:
    import asyncio

    from accounts.management import remove_membership
    from core.errors import ConflictError

    one, two = make_user("network_admin"), make_user("network_admin")
    results = await asyncio.gather(
        remove_membership(one.id, _membership_id(one)),
        remove_membership(two.id, _membership_id(two)),
        return_exceptions=True,
    )
    assert sorted(type(result).__name__ for result in results) == [
        ConflictError.__name__, "NoneType"]
    from accounts.tables import Membership

    assert await Membership.count().where(Membership.role == "network_admin") == 1


def test_retired_organisation_takes_no_new_members(make_user: Any, make_org: Any,
                                                   api_client: Any) -> None:
    from datetime import UTC, datetime

    from directory.tables import Organization

    target = make_user("viewer")
    old = make_org("Aufgelöster Verein")
    run(Organization.update({Organization.retired_at: datetime.now(UTC)})
        .where(Organization.id == old))
    api = api_client(make_user("network_admin"))
    before = _counts()
    response = api.post(f"/api/users/{target.id}/memberships",
                        json={"organization_id": str(old), "role": "viewer"})
    assert response.status_code == 409
    assert "Aufgelöster Verein" in response.json()["detail"]
    assert _counts() == before
