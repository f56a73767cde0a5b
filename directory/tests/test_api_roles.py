"""Who may do what in the directory API; every refusal leaves the data as it was."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from directory.tests.conftest import Network, full_service, snapshot


def _anonymous() -> TestClient:
    from app import create_app

    return TestClient(app=create_app())


def test_every_role_reads_the_directory(network: Network, make_service: Any,
                                        api_client: Any) -> None:
    service_id = make_service(network.org_a)
    for user in (network.viewer, network.case_manager, network.provider_b, network.admin):
        client = api_client(user)
        assert client.get("/api/services").json()["total"] == 1
        assert client.get(f"/api/services/{service_id}").status_code == 200
        assert client.get("/api/organizations").status_code == 200
        assert client.get(f"/api/organizations/{network.org_a}").status_code == 200
        assert client.get("/api/locations").json()["total"] == 3
        assert client.get(f"/api/locations/{network.place_a}").status_code == 200


def test_unauthenticated_requests_get_401(network: Network, make_service: Any) -> None:
    service_id = make_service(network.org_a)
    before = snapshot()
    with _anonymous() as client:
        for method, path in [
            ("GET", "/api/services"), ("GET", f"/api/services/{service_id}"),
            ("GET", "/api/organizations"), ("GET", "/api/locations"),
            ("POST", "/api/services"), ("PATCH", f"/api/services/{service_id}"),
            ("PATCH", f"/api/services/{service_id}/capacity"),
            ("POST", f"/api/services/{service_id}/confirm"),
            ("POST", f"/api/services/{service_id}/retire"),
            ("POST", "/api/organizations"), ("POST", "/api/locations"),
        ]:
            response = client.request(method, path, json={})
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["detail"]
    assert snapshot() == before


def test_provider_cannot_touch_another_organisations_offer(network: Network,
                                                           make_service: Any,
                                                           api_client: Any) -> None:
    theirs = make_service(network.org_b)
    client = api_client(network.provider_a)
    before = snapshot()
    for method, path, body in [
        ("PATCH", f"/api/services/{theirs}", {"name": "Übernommen"}),
        ("PATCH", f"/api/services/{theirs}/capacity", {"available": 0}),
        ("POST", f"/api/services/{theirs}/confirm", None),
        ("POST", f"/api/services/{theirs}/retire", None),
        ("POST", "/api/services", full_service(network, organization_id=str(network.org_b),
                                               location_ids=[])),
        ("PATCH", f"/api/locations/{network.place_b}", {"name": "Weg"}),
        ("POST", f"/api/locations/{network.place_b}/retire", None),
        ("POST", "/api/locations", {"organization_id": str(network.org_b), "name": "Neu"}),
        ("PATCH", f"/api/organizations/{network.org_b}", {"description": "Fremd"}),
    ]:
        response = client.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.text)
        assert "organisation" in response.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("role", ["viewer", "case_manager"])
def test_readers_cannot_write(role: str, network: Network, make_service: Any,
                              api_client: Any) -> None:
    service_id = make_service(network.org_a)
    user = network.viewer if role == "viewer" else network.case_manager
    client = api_client(user)
    before = snapshot()
    for method, path, body in [
        ("POST", "/api/services", full_service(network)),
        ("PATCH", f"/api/services/{service_id}", {"name": "X"}),
        ("PATCH", f"/api/services/{service_id}/capacity", {"available": 1}),
        ("POST", f"/api/services/{service_id}/confirm", None),
        ("POST", f"/api/services/{service_id}/retire", None),
        ("POST", "/api/locations", {"organization_id": str(network.org_a), "name": "Neu"}),
        ("PATCH", f"/api/locations/{network.place_a}", {"name": "X"}),
        ("POST", "/api/organizations", {"name": "Neu"}),
        ("PATCH", f"/api/organizations/{network.org_a}", {"description": "X"}),
        ("POST", f"/api/organizations/{network.org_a}/retire", None),
    ]:
        response = client.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.text)
    assert snapshot() == before


def test_only_the_coordination_creates_and_retires_organisations(network: Network,
                                                                 api_client: Any) -> None:
    provider = api_client(network.provider_a)
    assert provider.post("/api/organizations", json={"name": "Neu e. V."}).status_code == 403
    assert provider.post(f"/api/organizations/{network.org_a}/retire").status_code == 403
    admin = api_client(network.admin)
    created = admin.post("/api/organizations", json={"name": "Neu e. V.", "kind": "club"})
    assert created.status_code == 201, created.text
    retired = admin.post(f"/api/organizations/{created.json()['id']}/retire")
    assert retired.status_code == 200 and retired.json()["retired_at"] is not None


def test_provider_updates_only_description_and_contact_of_own_organisation(
    network: Network, api_client: Any,
) -> None:
    client = api_client(network.provider_a)
    response = client.patch(f"/api/organizations/{network.org_a}", json={
        "description": "Wir beraten in 5 Sprachen.", "email": "info@caritas.example",
        "phones": [{"number": "0208 1"}], "contacts": [{"name": "Empfang"}],
    })
    assert response.status_code == 200, response.text
    assert response.json()["description"] == "Wir beraten in 5 Sprachen."
    assert response.json()["phones"][0]["number"] == "0208 1"
    before = snapshot()
    renamed = client.patch(f"/api/organizations/{network.org_a}", json={"name": "Anders"})
    assert renamed.status_code == 403
    assert "name" in renamed.json()["detail"]
    assert snapshot() == before


def test_admin_edits_any_organisations_offer(network: Network, make_service: Any,
                                             api_client: Any) -> None:
    service_id = make_service(network.org_b)
    client = api_client(network.admin)
    assert client.patch(f"/api/services/{service_id}", json={"name": "Neu"}).status_code == 200
    assert client.patch(f"/api/services/{service_id}/capacity",
                        json={"available": 1}).status_code == 200
    assert client.post("/api/services", json=full_service(
        network, organization_id=str(network.org_b),
        location_ids=[str(network.place_b)])).status_code == 201
