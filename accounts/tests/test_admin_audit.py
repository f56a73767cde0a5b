"""Every account administration leaves an entry in the audit hash chain: who, what, whom, and
never a password, a password link or a token value."""

from __future__ import annotations

import json
import re
from typing import Any

from conftest import run

NEW_PASSWORD = "ein-neues-passwort-42"


def _entries(subject: Any) -> list[dict[str, Any]]:
    from accounts.audit import _loaded_detail
    from accounts.tables import AuditEntry

    rows = run(AuditEntry.select().where(AuditEntry.subject_id == subject)
               .order_by(AuditEntry.id))
    for row in rows:
        row["detail"] = _loaded_detail(row["detail"])
    return list(rows)


def _chain_intact() -> bool:
    from accounts.audit import verify_chain

    return run(verify_chain()).ok


def test_user_administration_through_the_api_is_audited(make_user: Any, make_org: Any,
                                                        api_client: Any) -> None:
    admin = make_user("network_admin")
    api = api_client(admin)
    home, other = make_org("Caritas Mülheim"), make_org("AWO Mülheim")
    created = api.post("/api/users", json={
        "email": "neu@example.org", "display_name": "Neu",
        "memberships": [{"organization_id": str(home), "role": "case_manager"}],
    })
    assert created.status_code == 201, created.text
    user_id = created.json()["user"]["id"]
    link = created.json()["password_link"]["link"]
    path = f"/api/users/{user_id}"
    assert api.patch(path, json={"display_name": "Neu Name"}).status_code == 200
    added = api.post(f"{path}/memberships",
                     json={"organization_id": str(other), "role": "viewer"}).json()
    assert api.delete(f"{path}/memberships/{added['id']}").status_code == 204
    second_link = api.post(f"{path}/password-link").json()["link"]
    assert api.post(f"{path}/tokens/revoke-all").json() == {"revoked": 0}
    assert api.patch(path, json={"is_active": False}).status_code == 200
    assert api.patch(path, json={"is_active": True}).status_code == 200

    entries = _entries(user_id)
    assert [e["action"] for e in entries] == [
        "user.create", "password_link.issue", "user.update", "membership.add",
        "membership.remove", "password_link.issue", "token.revoke_all", "user.deactivate",
        "user.activate",
    ]
    assert {e["actor_user"] for e in entries} == {admin.id}
    assert {e["detail"]["via"] for e in entries} == {"api"}
    assert entries[0]["detail"]["memberships"] == [
        {"organization_id": str(home), "role": "case_manager"}]
    assert entries[2]["detail"]["fields"] == ["display_name"]
    assert entries[3]["owner_organization"] == other
    assert entries[4]["detail"]["role"] == "viewer"
    stored = json.dumps([e["detail"] for e in entries])
    for secret in (link.rsplit("/", 1)[1], second_link.rsplit("/", 1)[1]):
        assert secret not in stored
    assert _chain_intact()


def test_refused_administration_leaves_no_entry(make_user: Any, api_client: Any) -> None:
    admin = make_user("network_admin")
    api = api_client(admin)
    response = api.delete(f"/api/users/{admin.id}/memberships/"
                          f"{_membership_of(admin)}")
    assert response.status_code == 409
    assert _entries(admin.id) == []


def _membership_of(user: Any) -> Any:
    from accounts.tables import Membership

    row = run(Membership.select(Membership.id).where(Membership.user == user.id).first())
    assert row is not None
    return row["id"]


def test_tokens_are_audited_by_id_never_by_value(make_user: Any, api_client: Any) -> None:
    user = make_user("viewer")
    api = api_client(user)
    issued = api.post("/api/tokens", json={"name": "Fachverfahren"}).json()
    assert api.delete(f"/api/tokens/{issued['id']}").status_code == 204
    entries = _entries(user.id)
    assert [e["action"] for e in entries] == ["token.issue", "token.revoke"]
    assert [e["detail"]["token_id"] for e in entries] == [issued["id"]] * 2
    assert all(e["actor_user"] == user.id for e in entries)
    assert issued["token"] not in json.dumps([e["detail"] for e in entries])
    assert issued["token"][:12] not in json.dumps([e["detail"] for e in entries])


def test_admin_pages_audit_their_changes_as_web(client: Any, make_user: Any, make_org: Any,
                                                login: Any) -> None:
    admin = make_user("network_admin")
    target = make_user("viewer")
    login(client, admin)
    client.headers["Accept"] = "text/html"
    response = client.post(f"/admin/users/{target.id}/memberships",
                           data={"organization": str(make_org("VHS")), "role": "viewer"},
                           follow_redirects=False)
    assert response.status_code == 303
    page = client.post(f"/admin/users/{target.id}/password-link")
    link = re.search(r'id="password-link"[^>]*value="([^"]+)"', page.text)
    assert link is not None
    assert client.post(f"/admin/users/{target.id}/tokens/revoke-all",
                       follow_redirects=False).status_code == 303
    entries = _entries(target.id)
    assert [e["action"] for e in entries] == [
        "membership.add", "password_link.issue", "token.revoke_all"]
    assert {(e["actor_user"], e["detail"]["via"]) for e in entries} == {(admin.id, "web")}
    assert link.group(1).rsplit("/", 1)[1] not in json.dumps([e["detail"] for e in entries])


def test_command_line_changes_are_audited_as_cli(make_user: Any, make_org: Any) -> None:
    from accounts.tests.test_password_links import _invoke

    target = make_user("viewer")
    org = make_org("DRK Mülheim")
    assert _invoke(["users", "add-role", "--email", target.email, "--organization", str(org),
                    "--role", "provider_staff"]).exit_code == 0
    token = _invoke(["token", "--user", target.email])
    assert token.exit_code == 0
    assert _invoke(["users", "reset-link", "--email", target.email]).exit_code == 0
    assert _invoke(["users", "revoke-tokens", "--email", target.email]).exit_code == 0
    assert _invoke(["users", "deactivate", "--email", target.email]).exit_code == 0
    entries = _entries(target.id)
    assert [e["action"] for e in entries] == [
        "membership.add", "token.issue", "password_link.issue", "token.revoke_all",
        "user.deactivate"]
    assert {(e["actor_user"], e["detail"]["via"]) for e in entries} == {(None, "cli")}
    assert entries[3]["detail"]["count"] == 1
    assert token.output.strip() not in json.dumps([e["detail"] for e in entries])
    verified = _invoke(["audit", "verify"])
    assert verified.exit_code == 0 and "Intact: 5 entries" in verified.output


def test_audit_page_names_administration_in_german(client: Any, make_user: Any,
                                                   login: Any, api_client: Any) -> None:
    admin = make_user("network_admin")
    api = api_client(admin)
    target = make_user("viewer")
    assert api.post(f"/api/users/{target.id}/password-link").status_code == 201
    login(client, admin)
    client.headers["Accept"] = "text/html"
    page = client.get("/audit", params={"action": "password_link.issue"})
    assert page.status_code == 200, page.text
    assert "hat einen Passwort-Link ausgestellt" in page.text
