"""Creating and editing organisations and offers in the browser forms (German by default)."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from conftest import run
from directory.tables import (
    Location,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTerm,
)
from directory.tests.conftest import Network, events, one, snapshot


def test_admin_creates_an_organisation_and_sees_it_saved(
    network: Network, client: TestClient, login: Any,
) -> None:
    login(client, network.admin)
    assert 'href="/admin/organizations/new"' in client.get("/admin/organizations").text
    form = client.get("/admin/organizations/new")
    assert form.status_code == 200 and "Neue Organisation" in form.text
    assert ">Wohlfahrtsverband</option>" in form.text
    english = client.get("/admin/organizations/new", headers={"Accept-Language": "en"}).text
    assert "Create organisation" in english and ">Welfare organisation</option>" in english
    response = client.post("/admin/organizations/new", data={
        "name": "Flüchtlingshilfe Styrum", "kind": "volunteer", "description": "Ehrenamt",
        "email": "kontakt@fh-styrum.example", "website": "https://fh-styrum.example",
        "phone": "0208 55555",
    }, follow_redirects=False)
    assert response.status_code == 303, response.text
    row = one(Organization.select().where(Organization.name == "Flüchtlingshilfe Styrum"))
    assert (row["kind"], row["email"], row["website"]) == (
        "volunteer", "kontakt@fh-styrum.example", "https://fh-styrum.example")
    assert one(Phone.select(Phone.number).where(Phone.organization == row["id"]))["number"] \
        == "0208 55555"
    shown = client.get(response.headers["location"]).text
    assert "Die Organisation wurde angelegt." in shown
    assert {"topic": "directory.organization_changed", "organization_id": str(row["id"])} \
        in events()


def test_refused_organisation_is_shown_again_with_what_was_typed(
    network: Network, client: TestClient, login: Any,
) -> None:
    login(client, network.admin)
    before = snapshot()
    response = client.post("/admin/organizations/new", data={
        "name": "Neuer Verein", "kind": "club", "description": "Mein Entwurf",
        "email": "keine-adresse",
    })
    assert response.status_code == 400
    assert 'role="alert"' in response.text and "Mein Entwurf" in response.text
    assert 'value="Neuer Verein"' in response.text
    assert "Bitte prüfen Sie dieses Feld: E-Mail" in response.text
    no_name = client.post("/admin/organizations/new", data={"name": " ", "kind": "club"})
    assert no_name.status_code == 400
    assert "Bitte geben Sie den Namen der Organisation ein." in no_name.text
    assert snapshot() == before


def test_admin_edits_an_organisation_and_keeps_its_other_phones(
    network: Network, client: TestClient, login: Any,
) -> None:
    run(Phone.insert(Phone(organization=network.org_a, number="0208 1"),
                     Phone(organization=network.org_a, number="0208 2")))
    login(client, network.admin)
    form = client.get(f"/admin/organizations/{network.org_a}/edit").text
    assert 'value="Caritas Mülheim"' in form
    response = client.post(f"/admin/organizations/{network.org_a}/edit", data={
        "name": "Caritasverband Mülheim", "kind": "welfare", "phone": "0208 9",
    }, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert one(Organization.select(Organization.name).where(
        Organization.id == network.org_a))["name"] == "Caritasverband Mülheim"
    numbers = run(Phone.select(Phone.number).where(Phone.organization == network.org_a))
    assert len(numbers) == 2 and {"0208 9"} <= {n["number"] for n in numbers}
    assert "Die Änderungen wurden gespeichert." in client.get(response.headers["location"]).text


def test_admin_retires_an_organisation_which_then_cannot_be_edited(
    network: Network, make_service: Any, client: TestClient, login: Any,
) -> None:
    service_id = make_service(network.org_b, name="Beratung")
    login(client, network.admin)
    unconfirmed = client.post(f"/admin/organizations/{network.org_b}/retire")
    assert unconfirmed.status_code == 400
    assert "Bitte setzen Sie das Häkchen" in unconfirmed.text
    assert one(Organization.select(Organization.retired_at).where(
        Organization.id == network.org_b))["retired_at"] is None
    response = client.post(f"/admin/organizations/{network.org_b}/retire",
                           data={"confirm": "on"}, follow_redirects=False)
    assert response.status_code == 303
    assert one(Service.select(Service.retired_at).where(
        Service.id == service_id))["retired_at"] is not None
    assert "Die Organisation wurde mit ihren Angeboten und Orten stillgelegt." in client.get(
        response.headers["location"]).text
    again = client.post(f"/admin/organizations/{network.org_b}/edit", data={"name": "X"})
    assert again.status_code == 409 and "stillgelegt" in again.text


def test_only_network_admins_reach_the_organisation_forms(
    network: Network, client: TestClient, login: Any,
) -> None:
    for person in (network.provider_a, network.viewer, network.case_manager):
        login(client, person)
        assert client.get("/admin/organizations/new").status_code == 403
        assert client.post("/admin/organizations/new", data={"name": "X"}).status_code == 403
        assert client.post(f"/admin/organizations/{network.org_a}/edit",
                           data={"name": "X"}).status_code == 403
        assert client.post(f"/admin/organizations/{network.org_a}/retire").status_code == 403
    assert one(Organization.select(Organization.name).where(
        Organization.id == network.org_a))["name"] == "Caritas Mülheim"


def test_provider_creates_an_offer_with_place_language_and_category(
    network: Network, client: TestClient, login: Any,
) -> None:
    login(client, network.provider_a)
    assert f'href="/organizations/{network.org_a}/offers/new"' in client.get("/my-offers").text
    form = client.get(f"/organizations/{network.org_a}/offers/new")
    assert form.status_code == 200 and "Neues Angebot" in form.text
    assert "Caritas-Haus" in form.text and "Diakoniezentrum" not in form.text
    response = client.post(f"/organizations/{network.org_a}/offers/new", data={
        "name": "Sprachcafé", "description": "Jeden Mittwoch", "free_of_charge": "on",
        "languages": ["ar", "fa"], "category_ids": [str(network.subcategory)],
        "location_ids": [str(network.place_a)], "places_shown": "1", "status": "active",
    }, follow_redirects=False)
    assert response.status_code == 303, response.text
    row = one(Service.select().where(Service.name == "Sprachcafé"))
    assert row["organization"] == network.org_a and row["free_of_charge"] is True
    assert sorted(r["code"] for r in run(ServiceLanguage.select(ServiceLanguage.code).where(
        ServiceLanguage.service == row["id"]))) == ["ar", "fa"]
    assert one(ServiceTerm.select(ServiceTerm.term).where(
        ServiceTerm.service == row["id"]))["term"] == network.subcategory
    assert one(ServiceAtLocation.select(ServiceAtLocation.location).where(
        ServiceAtLocation.service == row["id"]))["location"] == network.place_a
    assert {"topic": "directory.service_changed", "service_id": str(row["id"])} in events()
    assert "Sprachcafé" in client.get(response.headers["location"]).text


def test_refused_offer_keeps_the_input_and_writes_nothing(
    network: Network, client: TestClient, login: Any,
) -> None:
    login(client, network.provider_a)
    before = snapshot()
    response = client.post(f"/organizations/{network.org_a}/offers/new", data={
        "name": "", "description": "Mein Entwurf", "places_shown": "1",
        "location_ids": [str(network.place_b)],
    })
    assert response.status_code == 400
    assert "Bitte geben Sie den Namen des Angebots ein." in response.text
    assert "Mein Entwurf" in response.text
    foreign_place = client.post(f"/organizations/{network.org_a}/offers/new", data={
        "name": "Kurs", "places_shown": "1", "location_ids": [str(network.place_b)],
    })
    assert foreign_place.status_code == 400 and 'value="Kurs"' in foreign_place.text
    assert "Bitte wählen Sie nur Orte dieser Organisation" in foreign_place.text
    ages = client.post(f"/organizations/{network.org_a}/offers/new", data={
        "name": "Kurs", "minimum_age": "18", "maximum_age": "6"})
    assert "Das Mindestalter ist höher als das Höchstalter." in ages.text
    assert snapshot() == before


def test_offer_forms_refuse_other_providers_viewers_and_unknown_organisations(
    network: Network, make_service: Any, client: TestClient, login: Any,
) -> None:
    theirs = make_service(network.org_a, name="Kurs der Caritas")
    login(client, network.provider_b)
    assert client.get(f"/organizations/{network.org_a}/offers/new").status_code == 403
    assert client.post(f"/organizations/{network.org_a}/offers/new",
                       data={"name": "Fremd"}).status_code == 403
    assert client.post(f"/offers/{theirs}/edit", data={"name": "Fremd"}).status_code == 403
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/organizations/{unknown}/offers/new").status_code == 404
    login(client, network.viewer)
    assert client.get(f"/organizations/{network.org_b}/offers/new").status_code == 403
    assert run(Service.count()) == 1


def test_admin_creates_an_offer_for_any_organisation(
    network: Network, client: TestClient, login: Any,
) -> None:
    login(client, network.admin)
    page = client.get(f"/organizations/{network.org_b}").text
    assert f'href="/organizations/{network.org_b}/offers/new"' in page
    assert f'href="/admin/organizations/{network.org_b}/edit"' in page
    response = client.post(f"/organizations/{network.org_b}/offers/new", data={
        "name": "Wohnungsberatung", "places_shown": "1",
    }, follow_redirects=False)
    assert response.status_code == 303
    assert one(Service.select(Service.organization).where(
        Service.name == "Wohnungsberatung"))["organization"] == network.org_b


def test_provider_adds_and_changes_a_place_with_district_and_accessibility(
    network: Network, client: TestClient, login: Any,
) -> None:
    login(client, network.provider_a)
    page = client.get(f"/organizations/{network.org_a}").text
    assert f'href="/organizations/{network.org_a}/places/new"' in page
    response = client.post(f"/organizations/{network.org_a}/places/new", data={
        "name": "Familienzentrum", "address_1": "Aktienstraße 5", "postal_code": "45473",
        "city": "Mülheim an der Ruhr", "district": "Eppinghofen",
        "wheelchair_accessible": "on", "accessibility_description": "Aufzug am Hof",
    }, follow_redirects=False)
    assert response.status_code == 303, response.text
    row = one(Location.select().where(Location.name == "Familienzentrum"))
    assert (row["organization"], row["district"], row["wheelchair_accessible"]) == (
        network.org_a, "Eppinghofen", True)
    assert {"topic": "directory.location_changed", "location_id": str(row["id"])} in events()
    assert "Der Ort wurde gespeichert." in client.get(response.headers["location"]).text
    changed = client.post(f"/organizations/{network.org_a}/places/{row['id']}/edit", data={
        "name": "Familienzentrum Eppinghofen", "district": "Eppinghofen",
    }, follow_redirects=False)
    assert changed.status_code == 303
    after = one(Location.select().where(Location.id == row["id"]))
    assert after["name"] == "Familienzentrum Eppinghofen"
    assert after["wheelchair_accessible"] is False
    refused = client.post(f"/organizations/{network.org_a}/places/new", data={
        "name": "", "address_1": "Getippte Straße 1"})
    assert refused.status_code == 400
    assert "Bitte geben Sie den Namen des Ortes ein." in refused.text
    assert "Getippte Straße 1" in refused.text


def test_place_forms_refuse_other_providers_and_foreign_places(
    network: Network, client: TestClient, login: Any,
) -> None:
    login(client, network.provider_b)
    assert client.get(f"/organizations/{network.org_a}/places/new").status_code == 403
    assert client.post(f"/organizations/{network.org_a}/places/{network.place_a}/edit",
                       data={"name": "Fremd"}).status_code == 403
    # Its own organisation in the address does not open another organisation's place.
    assert client.post(f"/organizations/{network.org_b}/places/{network.place_a}/edit",
                       data={"name": "Fremd"}).status_code == 404
    login(client, network.viewer)
    assert client.get(f"/organizations/{network.org_b}/places/new").status_code == 403
    assert one(Location.select(Location.name).where(
        Location.id == network.place_a))["name"] == "Caritas-Haus"


def test_provider_retires_its_offer_only_when_confirmed(
    network: Network, make_service: Any, client: TestClient, login: Any,
) -> None:
    service_id = make_service(network.org_a, name="Alter Kurs")
    login(client, network.provider_b)
    assert client.post(f"/offers/{service_id}/retire",
                       data={"confirm": "on"}).status_code == 403
    login(client, network.provider_a)
    assert "Ja, Alter Kurs stilllegen." in client.get(f"/offers/{service_id}/edit").text
    unconfirmed = client.post(f"/offers/{service_id}/retire")
    assert unconfirmed.status_code == 400
    assert "Bitte setzen Sie das Häkchen" in unconfirmed.text
    assert one(Service.select(Service.retired_at))["retired_at"] is None
    response = client.post(f"/offers/{service_id}/retire", data={"confirm": "on"},
                           follow_redirects=False)
    assert response.status_code == 303
    assert one(Service.select(Service.retired_at))["retired_at"] is not None
    assert {"topic": "directory.service_retired", "service_id": str(service_id)} in events()
    assert "Alter Kurs" not in client.get(response.headers["location"]).text


def test_the_organisation_of_the_last_admins_is_not_retired(
    network: Network, client: TestClient, login: Any,
) -> None:
    login(client, network.admin)
    response = client.post(f"/admin/organizations/{network.kim}/retire",
                           data={"confirm": "on"})
    assert response.status_code == 409
    assert "Alle aktiven Netzwerk-Administrator*innen gehören zu dieser Organisation" \
        in response.text
    assert one(Organization.select(Organization.retired_at).where(
        Organization.id == network.kim))["retired_at"] is None
