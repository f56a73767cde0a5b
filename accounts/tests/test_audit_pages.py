"""Who sees which audit entries, the chain check for network admins, and referral changes."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from accounts import audit
from accounts.identity import load_user
from accounts.tables import AuditEntry
from conftest import run
from core.db import engine


@pytest.fixture
def world(make_user: Any, make_org: Any, api_client: Any) -> dict[str, Any]:
    a = make_org("Caritas Mülheim")
    b = make_org("Diakonie Mülheim")
    users = {
        "admin": make_user("network_admin", make_org("KIM")),
        "case_a": make_user("case_manager", a),
        "case_b": make_user("case_manager", b),
        "staff_b": make_user("provider_staff", b),
        "viewer_a": make_user("viewer", a),
    }
    actors = {name: run(load_user(user.id)) for name, user in users.items()}
    subject_a, subject_b = uuid4(), uuid4()
    run(audit.record("client.read", "client", subject_a, actors["case_a"], a, {}, "10.0.0.1"))
    run(audit.record("client.read", "client", subject_b, actors["case_b"], b, {}, "10.0.0.2"))
    # Staff of B reads A's client under a consent: A owns the data, B made the read.
    run(
        audit.record(
            "client.read",
            "client",
            subject_a,
            actors["staff_b"],
            a,
            {"via": "consent"},
            "10.0.0.3",
            actor_organization=b,
        )
    )
    return {
        "a": a,
        "b": b,
        "subject_a": subject_a,
        "subject_b": subject_b,
        "http": {name: api_client(user) for name, user in users.items()},
    }


def _subjects(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["subject_id"] for item in response.json()["items"]]


def test_network_admins_see_the_whole_network(world: dict[str, Any]) -> None:
    assert len(_subjects(world["http"]["admin"].get("/api/audit"))) == 3
    only_b = world["http"]["admin"].get(f"/api/audit?organization_id={world['b']}")
    assert len(_subjects(only_b)) == 2


def test_an_organisation_sees_entries_about_its_data_and_by_its_staff(
    world: dict[str, Any],
) -> None:
    seen_by_a = _subjects(world["http"]["case_a"].get("/api/audit"))
    assert sorted(seen_by_a) == sorted([str(world["subject_a"])] * 2)
    seen_by_b = _subjects(world["http"]["staff_b"].get("/api/audit"))
    assert sorted(seen_by_b) == sorted([str(world["subject_a"]), str(world["subject_b"])])
    foreign = world["http"]["case_b"].get(f"/api/audit?organization_id={world['a']}")
    assert _subjects(foreign) == []


def test_viewers_and_non_admins_get_no_audit_data(world: dict[str, Any]) -> None:
    assert world["http"]["viewer_a"].get("/api/audit").status_code == 403
    assert world["http"]["case_a"].get("/api/audit/verify").status_code == 403


def test_network_admin_checks_the_chain_and_sees_tampering(world: dict[str, Any]) -> None:
    admin = world["http"]["admin"]
    intact = admin.get("/api/audit/verify").json()
    assert intact["ok"] is True and intact["checked"] == 3
    first = run(AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id).first())
    assert first is not None
    run(engine().run_ddl(f"UPDATE audit_entry SET action = 'x' WHERE id = {int(first['id'])}"))
    broken = admin.get("/api/audit/verify").json()
    assert broken["ok"] is False and broken["first_bad_id"] == first["id"]
    page = admin.get("/audit?verify=1", headers={"Accept": "text/html"})
    assert "Die Kette ist bei Eintrag" in page.text


def test_audit_page_lists_entries_in_german(world: dict[str, Any]) -> None:
    response = world["http"]["case_a"].get("/audit", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "Protokoll" in response.text and "hat personenbezogene Daten angesehen" in response.text
    assert "10.0.0.2" not in response.text
