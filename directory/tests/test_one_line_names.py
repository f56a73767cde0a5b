"""Names of offers, organisations and locations are one line of text: line breaks, control
characters and names of only spaces are refused with a message in words (German first), over
the API and on the edit page; surrounding spaces are taken off."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from directory.tables import Location, Organization, Service
from directory.tests.conftest import Network, events, full_service, one, snapshot

BLANK = "Bitte in einer Zeile eingeben, ohne Zeilenumbrüche oder Steuerzeichen und nicht nur " \
        "Leerzeichen."
BROKEN = "Bitte in einer Zeile eingeben, ohne Zeilenumbrüche oder Steuerzeichen."
BAD_NAMES = ["   ", "Deutschkurs\nam Abend", "Kurs\r\nBcc: x@example.org", "Kurs\x07",
             "Kurs\u2028B1", "\t"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_renaming_an_offer_to_a_bad_name_is_refused(
    name: str, network: Network, make_service: Any, api_client: Any
) -> None:
    service_id = make_service(network.org_a, name="Deutschkurs")
    response = api_client(network.provider_a).patch(f"/api/services/{service_id}",
                                                    json={"name": name})
    assert response.status_code == 400, response.text
    assert response.json()["detail"] == f"name: {BLANK}"
    assert one(Service.select(Service.name))["name"] == "Deutschkurs"
    assert events() == []


def test_the_message_follows_the_requested_language(
    network: Network, make_service: Any, api_client: Any
) -> None:
    service_id = make_service(network.org_a, name="Deutschkurs")
    response = api_client(network.provider_a).patch(
        f"/api/services/{service_id}", json={"name": "   "},
        headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "name: please enter it on one line, without line breaks or control characters, "
        "and not only spaces.")


def test_bad_names_are_refused_when_creating_and_nothing_is_written(
    network: Network, api_client: Any
) -> None:
    provider = api_client(network.provider_a)
    admin = api_client(network.admin)
    before = snapshot()
    for client, path, body, detail in [
        (provider, "/api/services", full_service(network, name="Kurs\nB1"), f"name: {BLANK}"),
        (provider, "/api/services", full_service(network, alternate_name="B1\x00"),
         f"alternate_name: {BROKEN}"),
        (provider, "/api/services",
         full_service(network, contacts=[{"name": "Frau\nYilmaz"}]), f"contacts[0].name: {BLANK}"),
        (provider, "/api/services",
         full_service(network, translations=[{"language": "en", "name": " "}]),
         f"translations[0].name: {BLANK}"),
        (admin, "/api/organizations", {"name": "Caritas\nMülheim"}, f"name: {BLANK}"),
        (provider, "/api/locations", {"organization_id": str(network.org_a), "name": "  "},
         f"name: {BLANK}"),
    ]:
        response = client.post(path, json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["detail"] == detail
    assert snapshot() == before


def test_surrounding_spaces_are_taken_off_names(network: Network, api_client: Any) -> None:
    provider = api_client(network.provider_a)
    created = provider.post("/api/services", json=full_service(
        network, name="  Integrationskurs  ", alternate_name=" IK "))
    assert created.status_code == 201, created.text
    assert (created.json()["name"], created.json()["alternate_name"]) == (
        "Integrationskurs", "IK")
    location = provider.post("/api/locations", json={
        "organization_id": str(network.org_a), "name": " Stadtteilbüro Eppinghofen "})
    assert location.status_code == 201, location.text
    assert one(Location.select(Location.name).where(
        Location.id == location.json()["id"]))["name"] == "Stadtteilbüro Eppinghofen"
    organization = api_client(network.admin).patch(
        f"/api/organizations/{network.org_b}", json={"name": " Diakonie "})
    assert organization.status_code == 200, organization.text
    assert one(Organization.select(Organization.name).where(
        Organization.id == network.org_b))["name"] == "Diakonie"


@pytest.mark.parametrize(("name", "message"), [
    ("   ", "Bitte geben Sie den Namen des Angebots ein."),
    # The form names the field by its label, not by the API's field name.
    ("Deutschkurs\x07", f"Name: {BLANK}"),
    ("Deutschkurs\nam Abend", f"Name: {BLANK}"),
])
def test_edit_page_refuses_bad_names_in_german(
    name: str, message: str, network: Network, make_service: Any, client: TestClient,
    login: Any,
) -> None:
    service_id = make_service(network.org_a, name="Deutschkurs")
    login(client, network.provider_a)
    response = client.post(f"/offers/{service_id}/edit", data={"name": name})
    assert response.status_code == 400
    assert message in response.text
    assert one(Service.select(Service.name))["name"] == "Deutschkurs"
