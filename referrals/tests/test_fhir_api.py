"""The /fhir API: a provider's system answers referrals by updating Tasks (through the same
state machine), reads and searches with the JSON API's scoping, and errors as OperationOutcome.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import TestClient

from app import create_app
from conftest import run
from referrals.states import LOTSE_REASON_SYSTEM
from referrals.tables import Referral
from referrals.tests.exchange_support import Exchange
from referrals.tests.fhir_support import sent_referral, valid, valid_capabilities


def _task(client: Any, referral_id: str) -> dict[str, Any]:
    response = client.get(f"/fhir/Task/{referral_id}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    return valid(response.json())


def _put(client: Any, referral_id: str, task: dict[str, Any], **headers: str) -> Any:
    return client.put(f"/fhir/Task/{referral_id}", json=task,
                      headers={"Content-Type": "application/fhir+json", **headers})


def _state(referral_id: str) -> str:
    row = run(Referral.select(Referral.state).where(Referral.id == referral_id).first())
    assert row is not None
    return str(row["state"])


def test_provider_system_accepts_via_fhir_and_json_api_shows_it(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    system = api_client(exchange.provider)
    task = _task(system, referral_id)
    task["status"] = "accepted"
    task["note"] = [{"text": "Termin folgt per Telefon"}]
    answer = _put(system, referral_id, task, **{"If-Match": f'W/"{task["meta"]["versionId"]}"'})
    assert answer.status_code == 200, answer.text
    updated = valid(answer.json())
    assert updated["status"] == "accepted"
    assert int(updated["meta"]["versionId"]) == int(task["meta"]["versionId"]) + 1
    assert answer.headers["etag"] == f'W/"{updated["meta"]["versionId"]}"'
    seen = api_client(exchange.case_manager).get(f"/api/referrals/{referral_id}").json()
    assert seen["state"] == "accepted"
    assert seen["history"][-1]["side"] == "receiver"
    # The same move through the same machine, with the note recorded.
    assert seen["history"][-1]["note"] == "Termin folgt per Telefon"


def test_reject_without_status_reason_is_400_and_changes_nothing(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    system = api_client(exchange.provider)
    task = _task(system, referral_id)
    task["status"] = "rejected"
    refused = _put(system, referral_id, task)
    assert refused.status_code == 400
    outcome = valid(refused.json())
    assert outcome["resourceType"] == "OperationOutcome"
    assert "statusReason" in outcome["issue"][0]["diagnostics"]
    assert _state(referral_id) == "sent"


def test_reject_with_coded_reason_declines(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    system = api_client(exchange.provider)
    task = _task(system, referral_id)
    task["status"] = "rejected"
    task["statusReason"] = {"coding": [{"system": LOTSE_REASON_SYSTEM, "code": "no_capacity"}],
                            "text": "no_capacity"}
    answer = _put(system, referral_id, task)
    assert answer.status_code == 200, answer.text
    assert answer.json()["statusReason"]["coding"][0]["code"] == "no_capacity"
    assert _state(referral_id) == "declined"


def test_reject_with_reason_in_words_keeps_them_as_note(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    system = api_client(exchange.provider)
    task = _task(system, referral_id) | {"status": "rejected",
                                         "statusReason": {"text": "Kurs findet nicht statt"}}
    assert _put(system, referral_id, task).status_code == 200
    seen = api_client(exchange.case_manager).get(f"/api/referrals/{referral_id}").json()
    last = seen["history"][-1]
    assert (last["to_state"], last["reason"], last["note"]) == (
        "declined", "other", "Kurs findet nicht statt")


def test_waitlist_then_accept_then_complete_through_fhir(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    system = api_client(exchange.provider)
    task = _task(system, referral_id) | {
        "status": "accepted", "businessStatus": {"coding": [{"code": "waitlisted"}]}}
    assert _put(system, referral_id, task).status_code == 200
    assert _state(referral_id) == "waitlisted"
    again = _put(system, referral_id, _task(system, referral_id))
    assert again.status_code == 200 and _state(referral_id) == "waitlisted"
    task = _task(system, referral_id)
    del task["businessStatus"]
    assert _put(system, referral_id, task).status_code == 200
    assert _state(referral_id) == "accepted"
    done = _put(system, referral_id, _task(system, referral_id) | {"status": "completed"})
    assert done.status_code == 200 and _state(referral_id) == "completed"
    assert valid(done.json())["output"][0]["type"]["coding"][0]["code"] == "resulting-activity"


def test_sender_system_cancels_with_a_reason(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    sender = api_client(exchange.case_manager)
    task = _task(sender, referral_id) | {"status": "cancelled", "statusReason": {
        "coding": [{"system": LOTSE_REASON_SYSTEM, "code": "referred_elsewhere"}]}}
    answer = _put(sender, referral_id, task)
    assert answer.status_code == 200, answer.text
    assert valid(answer.json())["statusReason"]["coding"][0]["code"] == "referred_elsewhere"
    assert _state(referral_id) == "cancelled"


def test_outdated_if_match_is_412_and_changes_nothing(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    system = api_client(exchange.provider)
    task = _task(system, referral_id) | {"status": "accepted"}
    stale = _put(system, referral_id, task, **{"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert valid(stale.json())["issue"][0]["code"] == "conflict"
    assert _state(referral_id) == "sent"
    garbled = _put(system, referral_id, task, **{"If-Match": "yesterday"})
    assert garbled.status_code == 400


def test_illegal_and_malformed_updates_answer_outcomes(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    system = api_client(exchange.provider)
    task = _task(system, referral_id)
    completed_too_early = _put(system, referral_id, task | {"status": "completed"})
    assert completed_too_early.status_code == 409
    assert valid(completed_too_early.json())["resourceType"] == "OperationOutcome"
    unknown = _put(system, referral_id, task | {"status": "on-hold"})
    assert unknown.status_code == 400 and "on-hold" in unknown.text
    not_a_task = _put(system, referral_id, {"resourceType": "Patient", "status": "accepted"})
    assert not_a_task.status_code == 400
    broken = system.put(f"/fhir/Task/{referral_id}", content=b"{not json",
                        headers={"Content-Type": "application/fhir+json"})
    assert broken.status_code == 400
    assert valid(broken.json())["resourceType"] == "OperationOutcome"
    other_id = _put(system, referral_id, task | {"id": str(uuid4()), "status": "accepted"})
    assert other_id.status_code == 400
    sender_accepts = _put(api_client(exchange.case_manager), referral_id,
                          task | {"status": "accepted"})
    assert sender_accepts.status_code == 403
    assert _state(referral_id) == "sent"


def test_search_by_status_and_owner(exchange, api_client, make_org, make_service):
    first = sent_referral(exchange, api_client)
    second = sent_referral(exchange, api_client)
    system = api_client(exchange.provider)
    _put(system, second, _task(system, second) | {"status": "accepted"})
    found = valid(system.get("/fhir/Task", params={"status": "requested"}).json())
    assert found["type"] == "searchset" and found["total"] == 1
    assert found["entry"][0]["resource"]["id"] == first
    both = valid(system.get("/fhir/Task?status=requested,accepted"
                            f"&owner=Organization/{exchange.provider_org}").json())
    assert {e["resource"]["id"] for e in both["entry"]} == {first, second}
    elsewhere = system.get("/fhir/Task", params={"owner": f"Organization/{uuid4()}"}).json()
    assert elsewhere["total"] == 0
    requests = valid(api_client(exchange.case_manager).get(
        "/fhir/ServiceRequest", params={"status": "active",
                                        "performer": f"Organization/{exchange.provider_org}"}
    ).json())
    assert requests["total"] == 2
    assert system.get("/fhir/Task", params={"status": "sent"}).status_code == 400
    assert system.get("/fhir/Task", params={"_count": "0"}).status_code == 400
    paged = system.get("/fhir/Task", params={"_count": "1", "_offset": "1"}).json()
    assert paged["total"] == 2 and len(paged["entry"]) == 1


# --- authorisation --------------------------------------------------------------------------

FOREIGN_ROLES = ("network_admin", "case_manager", "provider_staff", "viewer")


def _calls(referral_id: Any) -> list[tuple[str, str, Any]]:
    return [
        ("GET", f"/fhir/Task/{referral_id}", None),
        ("GET", f"/fhir/ServiceRequest/{referral_id}", None),
        ("PUT", f"/fhir/Task/{referral_id}", {"resourceType": "Task", "status": "accepted"}),
        ("PUT", f"/fhir/Task/{referral_id}",
         {"resourceType": "Task", "status": "rejected", "statusReason": {"text": "other"}}),
    ]


def test_fhir_routes_are_all_in_the_authorisation_list():
    tried = {(m, p.replace("<id>", "{referral_id:uuid}")) for m, p, _ in _calls("<id>")}
    tried |= {("GET", "/fhir/Task"), ("GET", "/fhir/ServiceRequest"), ("GET", "/fhir/metadata")}
    routes = {(m, r.path) for r in create_app().routes for m in getattr(r, "methods", set())
              if m not in {"HEAD", "OPTIONS"} and r.path.startswith("/fhir")}
    assert routes - tried == set()


@pytest.mark.parametrize("role", FOREIGN_ROLES)
def test_foreign_roles_see_and_change_nothing(role: str, exchange: Exchange, api_client: Any,
                                              make_org: Any, make_user: Any) -> None:
    referral_id = sent_referral(exchange, api_client)
    stranger = api_client(make_user(role, make_org("Fremder Träger")))
    for method, path, body in [*_calls(referral_id), *_calls(uuid4())]:
        response = stranger.request(method, path, json=body)
        # The same answer for a real referral as for none: existence is not disclosed.
        assert response.status_code == 404, (method, path, response.text)
        assert valid(response.json())["issue"][0]["code"] == "not-found"
    for path in ("/fhir/Task", "/fhir/ServiceRequest"):
        assert stranger.get(path).json()["total"] == 0
    assert _state(referral_id) == "sent"


@pytest.mark.parametrize("role", ["network_admin", "viewer", "case_manager"])
def test_other_roles_of_the_receiving_organisation_cannot_answer(
    role: str, exchange: Exchange, api_client: Any, make_user: Any
) -> None:
    referral_id = sent_referral(exchange, api_client)
    colleague = api_client(make_user(role, exchange.provider_org))
    for method, path, body in _calls(referral_id):
        assert colleague.request(method, path, json=body).status_code == 404, (method, path)
    assert _state(referral_id) == "sent"


def test_capability_statement_names_the_interactions(exchange: Exchange, api_client: Any):
    statement = api_client(exchange.provider).get("/fhir/metadata").json()
    valid_capabilities(statement)
    task = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Task")
    assert {i["code"] for i in task["interaction"]} == {"read", "search-type", "update"}
    assert {p["name"] for p in task["searchParam"]} == {"status", "owner", "requester"}
    with TestClient(app=create_app()) as anonymous:
        assert anonymous.get("/fhir/metadata").status_code == 401


def test_own_organisations_read_and_anonymous_gets_401(exchange: Exchange, api_client: Any):
    referral_id = sent_referral(exchange, api_client)
    for user in (exchange.case_manager, exchange.provider):
        client = api_client(user)
        assert client.get(f"/fhir/Task/{referral_id}").status_code == 200
        assert client.get(f"/fhir/ServiceRequest/{referral_id}").status_code == 200
        assert client.get("/fhir/Task").json()["total"] == 1
    with TestClient(app=create_app()) as anonymous:
        for method, path, body in _calls(referral_id):
            response = anonymous.request(method, path, json=body,
                                         headers={"Accept": "application/fhir+json"})
            assert response.status_code == 401, (method, path)
            assert valid(response.json())["issue"][0]["code"] == "login"
    assert _state(referral_id) == "sent"


def test_session_update_needs_the_csrf_token(exchange: Exchange, api_client: Any, login: Any):
    referral_id = sent_referral(exchange, api_client)
    with TestClient(app=create_app()) as browser:
        csrf = login(browser, exchange.provider)
        task = browser.get(f"/fhir/Task/{referral_id}").json() | {"status": "accepted"}
        del browser.headers["X-CSRF-Token"]
        assert _put(browser, referral_id, task).status_code == 403
        assert _state(referral_id) == "sent"
        assert _put(browser, referral_id, task, **{"X-CSRF-Token": csrf}).status_code == 200
        assert _state(referral_id) == "accepted"
