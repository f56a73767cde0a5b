from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

import pytest

from conftest import run

NON_ADMIN_ROLES = ["case_manager", "provider_staff", "viewer"]


@pytest.fixture(autouse=True)
def _asks_for_html(client: Any) -> None:
    # As a browser does: errors then come as pages, anonymous visitors are sent to log in.
    client.headers["Accept"] = "text/html,application/xhtml+xml"


def _counts() -> tuple[int, int, int]:
    from accounts.tables import ApiToken, Membership, User

    return run(User.count()), run(Membership.count()), run(ApiToken.count())


def _membership_id(user_id: Any) -> Any:
    from accounts.tables import Membership

    row = run(Membership.select(Membership.id).where(Membership.user == user_id).first())
    assert row is not None
    return row["id"]


def _pages(target: Any) -> list[tuple[str, str, dict[str, str]]]:
    base = f"/admin/users/{target.id}"
    return [
        ("GET", "/admin/users", {}),
        ("GET", "/admin/users/new", {}),
        ("POST", "/admin/users/new", {"email": "x@example.org", "display_name": "X",
                                      "organization": str(target.organization_id),
                                      "role": "viewer", "locale": "de"}),
        ("GET", base, {}),
        ("POST", base, {"display_name": "Anders", "locale": "en"}),
        ("POST", f"{base}/deactivate", {}),
        ("POST", f"{base}/activate", {}),
        ("POST", f"{base}/memberships", {"organization": str(target.organization_id),
                                         "role": "case_manager"}),
        ("POST", f"{base}/memberships/{_membership_id(target.id)}/delete", {}),
        ("POST", f"{base}/password-link", {}),
        ("GET", "/admin/organizations", {}),
        ("GET", "/admin/organizations/new", {}),
        ("POST", "/admin/organizations/new", {"name": "Neu", "kind": "club"}),
        ("GET", f"/admin/organizations/{target.organization_id}/edit", {}),
        ("POST", f"/admin/organizations/{target.organization_id}/edit", {"name": "Anders"}),
        ("POST", f"/admin/organizations/{target.organization_id}/retire", {}),
    ]


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_admin_pages_are_refused_to_other_roles(role: str, client: Any, make_user: Any,
                                                login: Any) -> None:
    target = make_user("viewer")
    login(client, make_user(role))
    before = _counts()
    for method, path, form in _pages(target):
        response = client.request(method, path, data=form or None)
        assert response.status_code == 403, (method, path)
        assert "Nicht erlaubt" in response.text
    assert _counts() == before


def test_admin_pages_send_anonymous_visitors_to_login(client: Any, make_user: Any) -> None:
    target = make_user("viewer")
    client.get("/login")
    before = _counts()
    for method, path, form in _pages(target):
        data = {**form, "csrf_token": client.cookies.get("lotse_csrf")}
        response = client.request(method, path, data=data if method == "POST" else None,
                                  follow_redirects=False)
        assert response.status_code == 303, (method, path)
        assert response.headers["location"].startswith("/login?next=")
    assert _counts() == before


def test_nav_links_to_account_for_everyone_and_to_users_for_admins(
        client: Any, make_user: Any, login: Any) -> None:
    login(client, make_user("viewer"))
    page = client.get("/account").text
    assert 'href="/account"' in page and 'href="/admin/users"' not in page
    client.post("/logout")
    del client.headers["X-CSRF-Token"]
    login(client, make_user("network_admin"))
    assert 'href="/admin/users"' in client.get("/account").text


def test_list_page_filters_and_shows_memberships(client: Any, make_user: Any, make_org: Any,
                                                 login: Any) -> None:
    login(client, make_user("network_admin", email="chefin@kim.example"))
    caritas = make_org("Caritas")
    make_user("case_manager", organization_id=caritas, email="fall@caritas.example")
    make_user("viewer", email="lesen@awo.example")
    page = client.get("/admin/users", params={"organization": str(caritas)}).text
    assert "fall@caritas.example" in page and "lesen@awo.example" not in page
    assert "Caritas: Case Management" in page
    assert "Gefundene Konten: 1" in page
    page = client.get("/admin/users", params={"email": "AWO", "role": ""}).text
    assert "lesen@awo.example" in page and "fall@caritas.example" not in page
    bad = client.get("/admin/users", params={"organization": "kaputt"})
    assert bad.status_code == 400 and "keine gültige ID" in bad.text


def test_list_page_links_to_further_pages(client: Any, make_user: Any, make_org: Any,
                                          login: Any, monkeypatch: Any) -> None:
    from accounts import pages_admin
    from accounts.management import unusable_password_hash
    from accounts.tables import Membership, User

    monkeypatch.setattr(pages_admin, "PER_PAGE", 2)
    org = make_org("Groß")
    login(client, make_user("network_admin", organization_id=org, email="a@example.org"))
    for n in range(3):
        # Inserted directly: hashing real passwords would only slow the test down.
        user = User(email=f"u{n}@example.org", display_name=f"U {n}",
                    password_hash=unusable_password_hash())
        run(user.save())
        run(Membership(user=user.id, organization=org, role="viewer").save())
    first = client.get("/admin/users", params={"organization": str(org)}).text
    assert f"organization={org}&amp;page=2" in first and "rel=\"prev\"" not in first
    # a@, u0@ on the first page; u1@, u2@ on the second and last.
    second = client.get("/admin/users", params={"organization": str(org), "page": 2}).text
    assert "u1@example.org" in second and "u2@example.org" in second
    assert "u0@example.org" not in second
    assert "rel=\"prev\"" in second and "rel=\"next\"" not in second


def test_create_user_with_password_through_the_form(client: Any, make_user: Any,
                                                    login: Any) -> None:
    admin = make_user("network_admin")
    login(client, admin)
    response = client.post("/admin/users/new", data={
        "email": "jana@example.org", "display_name": "Jana Kaya",
        "organization": str(admin.organization_id), "role": "case_manager", "locale": "de",
        "password": "sehr-geheimes-passwort",
    }, follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Jana Kaya" in page and "Das Konto wurde angelegt." in page
    assert "/password/" not in page


def test_create_user_without_password_shows_the_link_once(client: Any, make_user: Any,
                                                          login: Any) -> None:
    admin = make_user("network_admin")
    login(client, admin)
    response = client.post("/admin/users/new", data={
        "email": "ohne@example.org", "display_name": "Ohne Passwort",
        "organization": str(admin.organization_id), "role": "viewer", "locale": "en",
    })
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    match = re.search(r'value="http://[^"]+(/password/[^"]+)"', response.text)
    assert match is not None
    user_page = re.search(r'action="(/admin/users/[0-9a-f-]+)"', response.text)
    assert user_page is not None
    assert "/password/" not in client.get(user_page.group(1)).text
    assert client.get(match.group(1)).status_code == 200


@pytest.mark.parametrize(("form", "message"), [
    ({"email": "kein-at-zeichen"}, "keine E-Mail-Adresse"),
    ({"display_name": " "}, "Namen der Person"),
    ({"password": "kurz"}, "mindestens 10 Zeichen"),
    ({"role": "kaiser"}, "Unbekannte Rolle"),
    ({"organization": "UNKNOWN"}, "keine Organisation mit der ID"),
    ({"organization": "kaputt"}, "keine gültige ID"),
    ({"locale": "fr"}, "Unbekannte Sprache"),
])
def test_create_form_errors_keep_the_input_and_write_nothing(
        form: dict[str, str], message: str, client: Any, make_user: Any, login: Any) -> None:
    admin = make_user("network_admin")
    login(client, admin)
    data = {"email": "neu@example.org", "display_name": "Neu Hier",
            "organization": str(admin.organization_id), "role": "viewer", "locale": "de",
            **form}
    if data["organization"] == "UNKNOWN":
        data["organization"] = str(uuid4())
    before = _counts()
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert 'role="alert"' in response.text
    assert _counts() == before


def test_create_form_refuses_an_existing_email(client: Any, make_user: Any,
                                               login: Any) -> None:
    admin = make_user("network_admin")
    login(client, admin)
    before = _counts()
    response = client.post("/admin/users/new", data={
        "email": admin.email, "display_name": "Doppelt",
        "organization": str(admin.organization_id), "role": "viewer", "locale": "de"})
    assert response.status_code == 409
    assert "Es gibt bereits ein Konto" in response.text
    assert _counts() == before


def test_edit_deactivate_and_activate_through_the_pages(client: Any, make_user: Any,
                                                        login: Any, api_client: Any) -> None:
    from accounts.tables import User

    target = make_user("case_manager")
    target_api = api_client(target)
    login(client, make_user("network_admin"))
    saved = client.post(f"/admin/users/{target.id}",
                        data={"display_name": "Neuer Name", "locale": "en"})
    assert saved.status_code == 200 and "Die Änderungen wurden gespeichert." in saved.text
    row = run(User.select(User.display_name, User.locale).where(User.id == target.id).first())
    assert row == {"display_name": "Neuer Name", "locale": "en"}
    gone = client.post(f"/admin/users/{target.id}/deactivate")
    assert "Konto wurde deaktiviert" in gone.text
    assert target_api.get("/api/me").status_code == 401
    back = client.post(f"/admin/users/{target.id}/activate")
    assert "kann sich wieder anmelden" in back.text


def test_own_account_cannot_be_deactivated_on_the_page(client: Any, make_user: Any,
                                                       login: Any) -> None:
    admin = make_user("network_admin")
    make_user("network_admin")
    login(client, admin)
    page = client.get(f"/admin/users/{admin.id}").text
    assert "/deactivate" not in page
    refused = client.post(f"/admin/users/{admin.id}/deactivate")
    assert refused.status_code == 409
    assert "Ihr eigenes Konto können Sie nicht deaktivieren" in refused.text


def test_memberships_are_added_and_removed_on_the_page(client: Any, make_user: Any,
                                                       make_org: Any, login: Any) -> None:
    from accounts.tables import Membership

    target = make_user("viewer")
    diakonie = make_org("Diakonie")
    login(client, make_user("network_admin"))
    added = client.post(f"/admin/users/{target.id}/memberships",
                        data={"organization": str(diakonie), "role": "provider_staff"})
    assert "Die Mitgliedschaft wurde hinzugefügt." in added.text
    assert "Diakonie" in added.text
    again = client.post(f"/admin/users/{target.id}/memberships",
                        data={"organization": str(diakonie), "role": "viewer"})
    assert again.status_code == 409 and "bereits Mitglied bei Diakonie" in again.text
    empty = client.post(f"/admin/users/{target.id}/memberships",
                        data={"organization": "", "role": "viewer"})
    assert empty.status_code == 400 and "Wählen Sie eine Organisation" in empty.text
    row = run(Membership.select(Membership.id).where(
        (Membership.user == target.id) & (Membership.organization == diakonie)).first())
    assert row is not None
    removed = client.post(f"/admin/users/{target.id}/memberships/{row['id']}/delete")
    assert "Die Mitgliedschaft wurde entfernt." in removed.text
    assert run(Membership.count().where(Membership.user == target.id)) == 1


def test_last_admin_membership_cannot_be_removed_on_the_page(client: Any, make_user: Any,
                                                             login: Any) -> None:
    admin = make_user("network_admin")
    login(client, admin)
    before = _counts()
    response = client.post(f"/admin/users/{admin.id}/memberships/"
                           f"{_membership_id(admin.id)}/delete")
    assert response.status_code == 409
    assert "letzte aktive Netzwerkverwaltung" in response.text
    assert _counts() == before


def test_unknown_user_page_is_a_404(client: Any, make_user: Any, login: Any) -> None:
    login(client, make_user("network_admin"))
    assert client.get(f"/admin/users/{uuid4()}").status_code == 404
    assert client.post(f"/admin/users/{uuid4()}/deactivate").status_code == 404
    assert client.post(f"/admin/users/{uuid4()}/password-link").status_code == 404


def test_password_link_button_shows_a_working_link(client: Any, make_user: Any,
                                                   login: Any) -> None:
    target = make_user("viewer")
    login(client, make_user("network_admin"))
    response = client.post(f"/admin/users/{target.id}/password-link")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    match = re.search(r'value="http://[^"]+(/password/[^"]+)"', response.text)
    assert match is not None
    assert target.email in client.get(match.group(1)).text


def test_organisation_overview_counts_active_members(client: Any, make_user: Any,
                                                     make_org: Any, login: Any) -> None:
    from accounts.tables import User

    login(client, make_user("network_admin"))
    awo = make_org("AWO Mülheim")
    make_user("case_manager", organization_id=awo)
    make_user("case_manager", organization_id=awo)
    gone = make_user("viewer", organization_id=awo)
    run(User.update({User.is_active: False}).where(User.id == gone.id))
    page = client.get("/admin/organizations", params={"name": "awo"}).text
    assert f'href="/admin/users?organization={awo}"' in page
    row = re.search(r"AWO Mülheim</a>.*?</th>(.*?)</tr>", page, re.S)
    assert row is not None
    cells = re.findall(r"<td>(\d+)</td>", row.group(1))
    # network_admin, case_manager, provider_staff, viewer, committee, total
    assert cells == ["0", "2", "0", "0", "0", "2"]
    assert "Gefundene Organisationen: 1" in page
