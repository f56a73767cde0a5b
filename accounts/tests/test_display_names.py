"""A person's name is one line: line breaks and control characters are refused in German over
the API and in the user administration, names of only spaces as before; surrounding spaces go."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import run

ONE_LINE = "display_name: Bitte in einer Zeile eingeben, ohne Zeilenumbrüche oder Steuerzeichen."


def _name(user: Any) -> str:
    from accounts.tables import User

    row = run(User.select(User.display_name).where(User.id == user.id).first())
    assert row is not None
    return str(row["display_name"])


@pytest.mark.parametrize("name", ["Jana\nKaya", "Jana\x1bKaya", "\r\n"])
def test_api_refuses_a_display_name_that_is_not_one_line(
    name: str, make_user: Any, api_client: Any
) -> None:
    admin = make_user("network_admin")
    target = make_user("viewer")
    client = api_client(admin)
    changed = client.patch(f"/api/users/{target.id}", json={"display_name": name})
    assert changed.status_code == 400
    assert changed.json()["detail"] == ONE_LINE
    created = client.post("/api/users", json={"email": "neu@example.org", "display_name": name})
    assert created.status_code == 400
    assert created.json()["detail"] == ONE_LINE
    assert _name(target) == "Test viewer 2"


def test_api_refuses_a_display_name_of_only_spaces(make_user: Any, api_client: Any) -> None:
    admin = make_user("network_admin")
    target = make_user("viewer")
    changed = api_client(admin).patch(f"/api/users/{target.id}", json={"display_name": "   "})
    assert changed.status_code == 400
    assert changed.json()["detail"] == "Enter the person's name."
    assert _name(target) == "Test viewer 2"


def test_api_takes_surrounding_spaces_off_a_display_name(make_user: Any,
                                                         api_client: Any) -> None:
    admin = make_user("network_admin")
    target = make_user("viewer")
    changed = api_client(admin).patch(f"/api/users/{target.id}",
                                      json={"display_name": "  Jana Kaya "})
    assert changed.status_code == 200
    assert changed.json()["display_name"] == "Jana Kaya"


def test_user_administration_refuses_a_name_with_a_line_break(
    client: Any, make_user: Any, login: Any
) -> None:
    client.headers["Accept"] = "text/html,application/xhtml+xml"
    admin = make_user("network_admin")
    target = make_user("viewer")
    login(client, admin)
    response = client.post(f"/admin/users/{target.id}", data={
        "display_name": "Jana\r\nKaya", "locale": "de"})
    assert response.status_code == 400
    assert "ohne Zeilenumbrüche oder Steuerzeichen" in response.text
    assert _name(target) == "Test viewer 2"
    created = client.post("/admin/users/new", data={
        "email": "neu@example.org", "display_name": "Neu\tPerson",
        "organization": str(admin.organization_id), "role": "viewer", "locale": "de"})
    assert created.status_code == 400
    assert "ohne Zeilenumbrüche oder Steuerzeichen" in created.text
