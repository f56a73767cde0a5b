"""The network always keeps an active network administrator, and the command line can always
give the role back."""

from __future__ import annotations

from typing import Any

from conftest import run


def _is_retired(organization_id: Any) -> bool:
    from directory.tables import Organization

    row = run(Organization.select(Organization.retired_at)
              .where(Organization.id == organization_id).first())
    assert row is not None
    return row["retired_at"] is not None


def _membership_of(user: Any) -> Any:
    from accounts.tables import Membership

    row = run(Membership.select(Membership.id).where(Membership.user == user.id).first())
    assert row is not None
    return row["id"]


def _roles(user_id: Any) -> set[tuple[Any, str]]:
    from accounts.tables import Membership

    rows = run(Membership.select(Membership.organization, Membership.role)
               .where(Membership.user == user_id))
    return {(row["organization"], row["role"]) for row in rows}


def test_admin_cannot_retire_the_organisation_of_the_last_admins(make_user: Any,
                                                                 api_client: Any) -> None:
    admin = make_user("network_admin")
    api = api_client(admin)
    response = api.post(f"/api/organizations/{admin.organization_id}/retire")
    assert response.status_code == 409, response.text
    assert "network_admin" in response.json()["detail"]
    assert not _is_retired(admin.organization_id)


def test_organisation_retires_once_an_admin_elsewhere_exists(make_user: Any,
                                                             api_client: Any) -> None:
    admin = make_user("network_admin")
    make_user("network_admin")
    api = api_client(admin)
    assert api.post(f"/api/organizations/{admin.organization_id}/retire").status_code == 200
    assert _is_retired(admin.organization_id)


def test_admins_of_retired_organisations_do_not_count_as_the_remaining_admin(
    make_user: Any, api_client: Any,
) -> None:
    admin = make_user("network_admin")
    retiring = make_user("network_admin")
    api = api_client(admin)
    assert api.post(f"/api/organizations/{retiring.organization_id}/retire").status_code == 200
    # The only other admin sits in a retired organisation: `admin` is the last one left.
    response = api.delete(f"/api/users/{admin.id}/memberships/{_membership_of(admin)}")
    assert response.status_code == 409
    assert (admin.organization_id, "network_admin") in _roles(admin.id)


def test_admin_cannot_remove_their_own_last_admin_role(make_user: Any, api_client: Any) -> None:
    admin = make_user("network_admin")
    api = api_client(admin)
    response = api.delete(f"/api/users/{admin.id}/memberships/{_membership_of(admin)}")
    assert response.status_code == 409
    assert "network_admin" in response.json()["detail"]


def test_cli_restores_an_admin_who_lost_role_and_access(make_user: Any) -> None:
    from accounts.tables import Membership, User
    from accounts.tests.test_password_links import _invoke

    # What the command line must repair: the role taken away and the account deactivated.
    person = make_user("network_admin")
    run(Membership.update({Membership.role: "viewer"}).where(Membership.user == person.id))
    run(User.update({User.is_active: False}).where(User.id == person.id))
    result = _invoke(["users", "grant-admin", "--email", person.email])
    assert result.exit_code == 0, result.output
    assert "network_admin" in result.output
    assert _roles(person.id) == {(person.organization_id, "network_admin")}
    row = run(User.select(User.is_active).where(User.id == person.id).first())
    assert row is not None and row["is_active"] is True


def test_cli_grants_admin_in_a_named_organisation(make_user: Any, make_org: Any) -> None:
    from accounts.tests.test_password_links import _invoke

    person = make_user("viewer")
    coordination = make_org("KIM Koordinierungsstelle")
    result = _invoke(["users", "grant-admin", "--email", person.email, "--organization",
                      str(coordination)])
    assert result.exit_code == 0, result.output
    assert _roles(person.id) == {(person.organization_id, "viewer"),
                                 (coordination, "network_admin")}
    # With two organisations and none named, the command asks which one.
    again = _invoke(["users", "grant-admin", "--email", person.email])
    assert again.exit_code == 1 and "Name the organisation" in again.output


def test_cli_creates_a_network_admin(make_org: Any, monkeypatch: Any) -> None:
    from accounts.tests.test_password_links import _invoke

    org = make_org("KIM Koordinierungsstelle")
    monkeypatch.setenv("LOTSE_NEW_PASSWORD", "ein-langes-passwort-1")
    result = _invoke(["users", "create", "--email", "kim@example.org", "--name", "KIM",
                      "--organization", str(org), "--role", "network_admin"])
    assert result.exit_code == 0, result.output
    from accounts.users import find_user_id

    user_id = run(find_user_id("kim@example.org"))
    assert _roles(user_id) == {(org, "network_admin")}
