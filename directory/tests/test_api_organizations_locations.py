"""Organisations and locations through the API, and the events search hears of."""

from __future__ import annotations

from typing import Any

from conftest import run
from directory.tables import Location, Organization, Service
from directory.tests.conftest import Network, events, full_service, one


def test_admin_creates_and_updates_an_organisation(network: Network, api_client: Any) -> None:
    client = api_client(network.admin)
    created = client.post("/api/organizations", json={
        "name": "Sprachbrücke e. V.", "kind": "volunteer", "website": "https://sb.example",
        "contacts": [{"name": "Vorstand", "email": "vorstand@sb.example"}],
    })
    assert created.status_code == 201, created.text
    organization = created.json()
    assert organization["contacts"][0]["email"] == "vorstand@sb.example"
    renamed = client.patch(f"/api/organizations/{organization['id']}",
                           json={"name": "Sprachbrücke Mülheim e. V.", "website": None})
    assert renamed.json()["name"] == "Sprachbrücke Mülheim e. V."
    assert renamed.json()["website"] is None
    assert renamed.json()["contacts"] == organization["contacts"]
    assert events() == [{"topic": "directory.organization_changed",
                         "organization_id": organization["id"]}] * 2


def test_retiring_an_organisation_retires_its_offers_and_locations(
    network: Network, api_client: Any,
) -> None:
    provider = api_client(network.provider_a)
    offer = provider.post("/api/services", json=full_service(network)).json()
    admin = api_client(network.admin)
    response = admin.post(f"/api/organizations/{network.org_a}/retire")
    assert response.status_code == 200
    assert one(Service.select(Service.retired_at))["retired_at"] is not None
    assert run(Location.count().where(Location.organization == network.org_a,
                                      Location.retired_at.is_null())) == 0
    assert run(Organization.count().where(Organization.retired_at.is_null())) == 2
    topics = [(e["topic"], e.get("service_id") or e.get("organization_id")
               or e.get("location_id")) for e in events()[1:]]
    assert ("directory.organization_changed", str(network.org_a)) in topics
    assert ("directory.service_retired", offer["id"]) in topics
    assert ("directory.location_changed", str(network.place_a)) in topics
    listed = admin.get("/api/organizations").json()
    assert str(network.org_a) not in [o["id"] for o in listed["items"]]
    assert admin.get("/api/organizations?include_retired=true").json()["total"] == 3
    assert provider.get("/api/organizations?include_retired=true").status_code == 403


def test_provider_manages_locations_of_own_organisation(network: Network,
                                                        api_client: Any) -> None:
    client = api_client(network.provider_a)
    created = client.post("/api/locations", json={
        "organization_id": str(network.org_a), "name": "Familienzentrum", "district": "Dümpten",
        "latitude": 51.44, "longitude": 6.9, "wheelchair_accessible": True,
        "phones": [{"number": "0208 55"}],
    })
    assert created.status_code == 201, created.text
    location = created.json()
    assert location["phones"][0]["number"] == "0208 55"
    moved = client.patch(f"/api/locations/{location['id']}", json={"district": "Heißen"})
    assert moved.json()["district"] == "Heißen"
    assert moved.json()["latitude"] == 51.44
    listed = client.get(f"/api/locations?organization_id={network.org_a}&district=Heißen")
    assert [loc["id"] for loc in listed.json()["items"]] == [location["id"]]
    retired = client.post(f"/api/locations/{location['id']}/retire")
    assert retired.json()["retired_at"] is not None
    assert client.get(f"/api/locations?organization_id={network.org_a}").json()["total"] == 2
    assert [e["topic"] for e in events()] == ["directory.location_changed"] * 3
    assert client.patch(f"/api/locations/{location['id']}", json={"name": "X"}).status_code == 409


def test_retired_location_disappears_from_offers(network: Network, api_client: Any) -> None:
    client = api_client(network.provider_a)
    offer = client.post("/api/services", json=full_service(network)).json()
    client.post(f"/api/locations/{network.place_a2}/retire")
    shown = client.get(f"/api/services/{offer['id']}").json()
    assert [loc["id"] for loc in shown["locations"]] == [str(network.place_a)]
    refused = client.post("/api/services", json=full_service(
        network, location_ids=[str(network.place_a2)]))
    assert refused.status_code == 400 and "retired" in refused.text


def test_openapi_document_lists_every_directory_operation(client: Any) -> None:
    schema = client.get("/schema/openapi.json").json()
    operations = {
        operation["operationId"]
        for path, methods in schema["paths"].items() if path.startswith("/api/")
        for operation in methods.values()
    }
    assert {
        "listOrganizations", "getOrganization", "createOrganization", "updateOrganization",
        "retireOrganization", "listServices", "getService", "createService", "updateService",
        "retireService", "updateServiceCapacity", "confirmService", "listLocations",
        "getLocation", "createLocation", "updateLocation", "retireLocation",
    } <= operations
    create = schema["paths"]["/api/services"]["post"]
    assert "requestBody" in create
    assert schema["paths"]["/api/services"]["get"]["tags"] == ["directory"]
