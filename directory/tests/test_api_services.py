"""Offers through the API: create with every nested part, read, list, update, retire."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from conftest import run
from directory.tables import Capacity, Service, ServiceAtLocation
from directory.tests.conftest import Network, events, full_service


def test_provider_creates_an_offer_with_all_nested_parts(network: Network,
                                                         api_client: Any) -> None:
    client = api_client(network.provider_a)
    response = client.post("/api/services", json=full_service(network))
    assert response.status_code == 201, response.text
    offer = response.json()
    assert offer["organization"]["name"] == "Caritas Mülheim"
    assert offer["languages"] == ["ar", "de", "uk"]
    assert [t["code"] for t in offer["categories"]] == ["sprache.integrationskurs"]
    assert [t["code"] for t in offer["target_groups"]] == ["zielgruppe.gefluechtete"]
    assert {loc["district"] for loc in offer["locations"]} == {"Altstadt I", "Styrum"}
    assert offer["phones"][0]["number"] == "0208 123456"
    assert offer["contacts"][0]["name"] == "Frau Yilmaz"
    assert offer["cost_options"][0]["amount"] == 2.29
    assert offer["required_documents"][0]["document"] == "Berechtigungsschein"
    assert offer["translations"][0]["name"] == "Morning integration course"
    assert offer["capacity"]["available"] == 4 and offer["capacity"]["waitlist_open"] is True
    assert offer["capacity"]["updated_by_name"].startswith("Test provider_staff")
    again = client.get(f"/api/services/{offer['id']}").json()
    assert again == offer
    assert events() == [{"topic": "directory.service_changed", "service_id": offer["id"]}]


def test_partial_update_changes_only_what_is_sent(network: Network, api_client: Any) -> None:
    client = api_client(network.provider_a)
    offer = client.post("/api/services", json=full_service(network)).json()
    response = client.patch(f"/api/services/{offer['id']}",
                            json={"description": "Neu", "alternate_name": None,
                                  "languages": ["tr"]})
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["description"] == "Neu"
    assert changed["languages"] == ["tr"]
    assert changed["name"] == offer["name"]
    assert changed["categories"] == offer["categories"]
    assert changed["phones"] == offer["phones"]
    assert changed["last_modified"] > offer["last_modified"]
    assert [e["topic"] for e in events()] == ["directory.service_changed"] * 2


def test_replacing_categories_keeps_target_groups(network: Network, api_client: Any) -> None:
    client = api_client(network.provider_a)
    offer = client.post("/api/services", json=full_service(network)).json()
    changed = client.patch(f"/api/services/{offer['id']}",
                           json={"category_ids": [str(network.other_category)]}).json()
    assert [t["code"] for t in changed["categories"]] == ["migrationsberatung"]
    assert [t["code"] for t in changed["target_groups"]] == ["zielgruppe.gefluechtete"]


def test_changing_locations_keeps_the_links_that_stay(network: Network,
                                                      api_client: Any) -> None:
    client = api_client(network.provider_a)
    offer = client.post("/api/services", json=full_service(network)).json()
    before = run(ServiceAtLocation.select().where(
        ServiceAtLocation.location == network.place_a).first())
    changed = client.patch(f"/api/services/{offer['id']}",
                           json={"location_ids": [str(network.place_a)]}).json()
    assert [loc["id"] for loc in changed["locations"]] == [str(network.place_a)]
    after = run(ServiceAtLocation.select().where(
        ServiceAtLocation.service == offer["id"]))
    assert before is not None
    assert [row["id"] for row in after] == [before["id"]]


def test_retired_offer_leaves_lists_but_stays_readable(network: Network,
                                                       api_client: Any) -> None:
    client = api_client(network.provider_a)
    offer = client.post("/api/services", json=full_service(network)).json()
    response = client.post(f"/api/services/{offer['id']}/retire")
    assert response.status_code == 200
    assert response.json()["retired_at"] is not None
    assert response.json()["status"] == "inactive"
    assert run(Service.count()) == 1
    assert client.get("/api/services").json()["total"] == 0
    assert client.get(f"/api/services/{offer['id']}").status_code == 200
    assert events("directory.service_retired") == [
        {"topic": "directory.service_retired", "service_id": offer["id"]}
    ]
    refused = client.patch(f"/api/services/{offer['id']}", json={"name": "Wieder da"})
    assert refused.status_code == 409


def test_include_retired_is_for_admins_and_own_organisation(network: Network,
                                                             api_client: Any) -> None:
    provider = api_client(network.provider_a)
    offer = provider.post("/api/services", json=full_service(network)).json()
    provider.post(f"/api/services/{offer['id']}/retire")
    admin = api_client(network.admin)
    listed = admin.get("/api/services?include_retired=true").json()
    assert [item["id"] for item in listed["items"]] == [offer["id"]]
    own = provider.get(f"/api/services?include_retired=true&organization_id={network.org_a}")
    assert own.json()["total"] == 1
    assert api_client(network.viewer).get(
        "/api/services?include_retired=true").status_code == 403
    assert provider.get("/api/services?include_retired=true").status_code == 403


def test_list_filters_by_category_tree_district_and_language(network: Network,
                                                             make_service: Any,
                                                             api_client: Any) -> None:
    client = api_client(network.provider_a)
    course = client.post("/api/services", json=full_service(network)).json()
    client.post("/api/services", json=full_service(
        network, name="Beratung", category_ids=[str(network.other_category)],
        languages=["fa"], location_ids=[str(network.place_a)]))
    viewer = api_client(network.viewer)

    def names(query: str) -> list[str]:
        response = viewer.get(f"/api/services?{query}")
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    # The top category also finds offers filed under its subcategories.
    assert names(f"category={network.category}") == [course["name"]]
    assert names("district=Styrum") == [course["name"]]
    assert names("language=fa") == ["Beratung"]
    assert names("district=Broich") == []
    assert sorted(names("")) == sorted(["Beratung", course["name"]])


def test_pagination_reports_total_and_pages(network: Network, make_service: Any,
                                            api_client: Any) -> None:
    for n in range(7):
        make_service(network.org_a, name=f"Angebot {n}")
    client = api_client(network.viewer)
    first = client.get("/api/services?per_page=3").json()
    third = client.get("/api/services?per_page=3&page=3").json()
    assert (first["total"], first["page"], first["per_page"]) == (7, 1, 3)
    assert [i["name"] for i in first["items"]] == ["Angebot 0", "Angebot 1", "Angebot 2"]
    assert [i["name"] for i in third["items"]] == ["Angebot 6"]
    assert client.get("/api/services?per_page=3&page=4").json()["items"] == []
    assert client.get("/api/services?per_page=500").status_code == 400
    assert client.get("/api/services?page=0").status_code == 400


def test_confirm_sets_assured_date_and_assurer(network: Network, make_service: Any,
                                               api_client: Any) -> None:
    service_id = make_service(network.org_a)
    run(Capacity.update({Capacity.updated: datetime(2020, 1, 1, tzinfo=UTC)}, force=True))
    response = api_client(network.provider_a).post(f"/api/services/{service_id}/confirm")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["assured_date"] == datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
    assert body["assurer_email"] == network.provider_a.email
    assert body["capacity"]["stale"] is False
    assert events() == [{"topic": "directory.service_changed", "service_id": str(service_id)}]
