"""Bad input on every write endpoint: a 4xx that says what is wrong, and nothing written."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from directory.tests.conftest import Network, full_service, snapshot

LONG = "x" * 256


def _bad_service_bodies(network: Network) -> list[tuple[dict[str, Any], str]]:
    """(body, a word the error message must contain)"""
    return [
        (full_service(network, colour="blue"), "unknown field"),
        (full_service(network, name=42), "Expected `str`"),
        (full_service(network, name=LONG), "length <= 255"),
        (full_service(network, name=""), "length >= 1"),
        (full_service(network, minimum_age=-1), ">= 0"),
        (full_service(network, minimum_age=30, maximum_age=20), "minimum_age"),
        (full_service(network, organization_id="not-a-uuid"), "Invalid UUID"),
        (full_service(network, languages=["xx"]), "Unknown language code 'xx'"),
        (full_service(network, languages=["deutsch"]), "length <= 3"),
        (full_service(network, category_ids=[str(uuid4())]), "category_ids"),
        (full_service(network, category_ids=[str(network.target_group)]), "target group"),
        (full_service(network, target_group_ids=[str(network.category)]), "category"),
        (full_service(network, location_ids=[str(network.place_b)]), "another organisation"),
        (full_service(network, location_ids=[str(uuid4())]), "no location"),
        (full_service(network, status="open"), "Invalid enum value"),
        (full_service(network, email="no-at-sign"), "regex"),
        (full_service(network, url="ftp://x"), "regex"),
        (full_service(network, phones=[{"number": "1", "fax": True}]), "unknown field"),
        (full_service(network, translations=[{"language": "zz", "name": "X"}]), "'zz'"),
        (full_service(network, cost_options=[{"amount": -5}]), ">= 0"),
        (full_service(network, cost_options=[{"valid_from": "2026-05-01",
                                              "valid_to": "2026-01-01"}]), "valid_from"),
        (full_service(network, description="a\x00b"), "NUL"),
        # Checked only after the offer and its parts were written: must roll back all of it.
        (full_service(network, capacity={"maximum": 2, "available": 5}), "maximum"),
    ]


def test_create_service_refuses_bad_input(network: Network, api_client: Any) -> None:
    client = api_client(network.provider_a)
    before = snapshot()
    for body, message in _bad_service_bodies(network):
        response = client.post("/api/services", json=body)
        assert response.status_code == 400, (body, response.text)
        assert message in response.text, (message, response.text)
    unknown = api_client(network.admin).post(
        "/api/services", json=full_service(network, organization_id=str(uuid4())))
    assert unknown.status_code == 400 and "no organisation" in unknown.text
    assert snapshot() == before


def test_update_service_refuses_bad_input(network: Network, make_service: Any,
                                          api_client: Any) -> None:
    service_id = make_service(network.org_a, minimum_age=18)
    client = api_client(network.provider_a)
    before = snapshot()
    for body, message in [
        ({"organization_id": str(network.org_b)}, "unknown field"),
        ({"colour": "blue"}, "unknown field"),
        ({"name": None}, "Expected `str`"),
        ({"description": 5}, "Expected `str`"),
        ({"wait_time": LONG}, "length <= 255"),
        ({"maximum_age": 10}, "minimum_age"),
        ({"languages": ["de", "qq"]}, "'qq'"),
        ({"category_ids": ["nope"]}, "Invalid UUID"),
        ({"category_ids": [str(uuid4())]}, "category_ids"),
        ({"location_ids": [str(network.place_b)]}, "another organisation"),
        ({"contacts": [{"name": LONG}]}, "length <= 255"),
        ({"free_of_charge": "ja"}, "Expected `bool`"),
    ]:
        response = client.patch(f"/api/services/{service_id}", json=body)
        assert response.status_code == 400, (body, response.text)
        assert message in response.text, (message, response.text)
    assert client.patch("/api/services/not-a-uuid", json={}).status_code == 400
    assert client.patch(f"/api/services/{uuid4()}", json={"name": "X"}).status_code == 404
    response = client.patch(f"/api/services/{service_id}", content=b"{nope",
                            headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert snapshot() == before


def test_capacity_refuses_bad_input(network: Network, make_service: Any,
                                    api_client: Any) -> None:
    service_id = make_service(network.org_a, available=3, maximum=10)
    client = api_client(network.provider_a)
    before = snapshot()
    for body, message in [
        ({"available": -1}, ">= 0"),
        ({"available": 11}, "maximum"),
        ({"maximum": 2}, "maximum"),
        ({"available": "3"}, "Expected `int`"),
        ({"waitlist_open": "yes"}, "Expected `bool`"),
        ({"available": 10**12}, "<= 100000"),
        ({"free": 3}, "unknown field"),
        ({"unit": ""}, "length >= 1"),
    ]:
        response = client.patch(f"/api/services/{service_id}/capacity", json=body)
        assert response.status_code == 400, (body, response.text)
        assert message in response.text, (message, response.text)
    assert client.patch("/api/services/123/capacity", json={}).status_code == 400
    assert client.patch(f"/api/services/{uuid4()}/capacity", json={}).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("action", ["confirm", "retire"])
def test_actions_refuse_bad_ids(action: str, network: Network, api_client: Any) -> None:
    client = api_client(network.provider_a)
    before = snapshot()
    assert client.post(f"/api/services/not-a-uuid/{action}").status_code == 400
    assert client.post(f"/api/services/{uuid4()}/{action}").status_code == 404
    assert snapshot() == before


def test_organization_writes_refuse_bad_input(network: Network, api_client: Any) -> None:
    client = api_client(network.admin)
    before = snapshot()
    for body, message in [
        ({}, "name"),
        ({"name": LONG}, "length <= 255"),
        ({"name": "A", "kind": "Wohlfahrt!"}, "regex"),
        ({"name": "A", "website": "caritas.example"}, "regex"),
        ({"name": "A", "phones": [{"number": ""}]}, "length >= 1"),
        ({"name": "A", "unknown": 1}, "unknown field"),
    ]:
        response = client.post("/api/organizations", json=body)
        assert response.status_code == 400, (body, response.text)
        assert message in response.text, (message, response.text)
    for body, message in [
        ({"name": ""}, "length >= 1"),
        ({"legal_status": "x" * 101}, "length <= 100"),
        ({"id": str(uuid4())}, "unknown field"),
    ]:
        response = client.patch(f"/api/organizations/{network.org_a}", json=body)
        assert response.status_code == 400, (body, response.text)
        assert message in response.text, (message, response.text)
    assert client.patch("/api/organizations/x", json={}).status_code == 400
    assert client.patch(f"/api/organizations/{uuid4()}", json={}).status_code == 404
    assert client.post(f"/api/organizations/{uuid4()}/retire").status_code == 404
    assert snapshot() == before


def test_location_writes_refuse_bad_input(network: Network, api_client: Any) -> None:
    client = api_client(network.provider_a)
    org = str(network.org_a)
    before = snapshot()
    for body, message in [
        ({"organization_id": org}, "name"),
        ({"organization_id": org, "name": "A", "latitude": 91, "longitude": 6}, "<= 90"),
        ({"organization_id": org, "name": "A", "latitude": 51.4}, "both latitude"),
        ({"organization_id": org, "name": "A", "location_type": "boat"}, "Invalid enum"),
        ({"organization_id": org, "name": "A", "district": "x" * 101}, "length <= 100"),
        ({"organization_id": "nope", "name": "A"}, "Invalid UUID"),
        ({"organization_id": org, "name": "A", "floor": 2}, "unknown field"),
    ]:
        response = client.post("/api/locations", json=body)
        assert response.status_code == 400, (body, response.text)
        assert message in response.text, (message, response.text)
    for body, message in [
        ({"organization_id": str(network.org_b)}, "unknown field"),
        ({"longitude": 200}, "<= 180"),
        ({"latitude": 51.4}, "both latitude"),
        ({"wheelchair_accessible": 1}, "Expected `bool`"),
    ]:
        response = client.patch(f"/api/locations/{network.place_a}", json=body)
        assert response.status_code == 400, (body, response.text)
        assert message in response.text, (message, response.text)
    assert client.patch("/api/locations/x", json={}).status_code == 400
    assert client.post(f"/api/locations/{uuid4()}/retire").status_code == 404
    assert snapshot() == before


def test_errors_name_the_field(network: Network, api_client: Any) -> None:
    response = api_client(network.provider_a).post(
        "/api/services", json=full_service(network, name=LONG))
    body = response.json()
    assert body["extra"][0]["key"] == "name"
