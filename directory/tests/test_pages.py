"""The directory's pages as a person sees them (German by default)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar.testing import TestClient

from conftest import run
from directory.tables import Capacity, Service, ServiceAtLocation, ServiceLanguage, ServiceTerm
from directory.tests.conftest import Network, events, one


def _offer(network: Network, make_service: Any, **fields: Any) -> Any:
    service_id = make_service(network.org_a, **fields)
    run(ServiceAtLocation(service=service_id, location=network.place_a).save())
    run(ServiceLanguage(service=service_id, code="ar").save())
    run(ServiceTerm(service=service_id, term=network.subcategory).save())
    return service_id


def test_offers_page_filters_and_pages(network: Network, make_service: Any,
                                       client: TestClient, login: Any) -> None:
    _offer(network, make_service, name="Integrationskurs")
    for n in range(21):
        make_service(network.org_b, name=f"Beratung {n:02d}")
    login(client, network.viewer)
    page = client.get("/offers")
    assert page.status_code == 200
    assert "Gefundene Angebote: 22" in page.text
    assert "Seite 1 von 2" in page.text and 'rel="next"' in page.text
    second = client.get("/offers?page=2")
    assert "Integrationskurs" in second.text
    filtered = client.get(f"/offers?category={network.category}&district=&language=")
    assert "Gefundene Angebote: 1" in filtered.text and "Integrationskurs" in filtered.text
    by_language = client.get("/offers?language=ar")
    assert "Integrationskurs" in by_language.text and "Beratung 00" not in by_language.text
    # The language filter names languages in the interface language.
    assert ">Arabisch</option>" in page.text
    assert client.get("/offers?category=nonsense").status_code == 400
    assert client.get("/offers?page=0").status_code == 400
    assert client.get(f"/offers?page={10**20}").status_code == 400


def test_offer_page_shows_everything_a_case_manager_needs(
    network: Network, make_service: Any, client: TestClient, login: Any,
) -> None:
    service_id = _offer(network, make_service, name="Integrationskurs", available=2,
                        maximum=12, minimum_age=16,
                        eligibility_description="Mit Berechtigungsschein")
    run(Capacity.update({Capacity.updated: datetime(2025, 1, 15, tzinfo=UTC)}, force=True))
    login(client, network.case_manager)
    page = client.get(f"/offers/{service_id}").text
    assert "<h1>Integrationskurs</h1>" in page
    assert "Caritas Mülheim" in page and f'/organizations/{network.org_a}' in page
    assert "Integrationskurs</dd>" in page  # category name
    assert "Arabisch" in page
    assert "ab 16 Jahren" in page and "Mit Berechtigungsschein" in page
    assert "Hauptstraße 1" in page and "Altstadt I" in page
    assert "2 von 12 Plätzen frei" in page and "Stand: 15.01.2025" in page
    assert "möglicherweise veraltet" in page
    assert f'href="/referrals/new?service={service_id}"' in page
    assert "Weitervermitteln" in page
    assert "Angebot bearbeiten" not in page and 'value="plus"' not in page


def test_viewer_gets_no_refer_button_and_english_works(network: Network, make_service: Any,
                                                       client: TestClient, login: Any) -> None:
    service_id = _offer(network, make_service)
    login(client, network.viewer)
    page = client.get(f"/offers/{service_id}", headers={"Accept-Language": "en"}).text
    assert "/referrals/new" not in page
    assert "Arabic" in page and "Integration course" in page and "Free places" in page


def test_organization_page_lists_offers_and_locations(network: Network, make_service: Any,
                                                      client: TestClient, login: Any) -> None:
    service_id = _offer(network, make_service, name="Sprachcafé")
    login(client, network.viewer)
    page = client.get(f"/organizations/{network.org_a}")
    assert page.status_code == 200
    assert f'/offers/{service_id}' in page.text and "Stadtteilbüro" in page.text
    assert client.get("/organizations/00000000-0000-0000-0000-000000000000").status_code == 404


def test_my_offers_shows_own_offers_with_one_click_buttons(network: Network,
                                                           make_service: Any,
                                                           client: TestClient, login: Any,
                                                           api_client: Any) -> None:
    mine = _offer(network, make_service, name="Unser Kurs")
    make_service(network.org_b, name="Fremder Kurs")
    login(client, network.provider_a)
    page = client.get("/my-offers").text
    assert "Unser Kurs" in page and "Fremder Kurs" not in page
    assert f'hx-post="/offers/{mine}/capacity"' in page
    assert "Angaben bestätigen" in page
    assert api_client(network.viewer).get("/my-offers").status_code == 403


def test_edit_page_saves_main_fields_languages_categories_and_status(
    network: Network, make_service: Any, client: TestClient, login: Any,
) -> None:
    service_id = _offer(network, make_service, name="Alter Name")
    login(client, network.provider_a)
    form = client.get(f"/offers/{service_id}/edit")
    assert form.status_code == 200
    assert 'for="name"' in form.text and 'value="ar"' in form.text
    response = client.post(f"/offers/{service_id}/edit", data={
        "name": "Neuer Name", "description": "Neu", "status": "temporarily closed",
        "minimum_age": "18", "maximum_age": "", "languages": ["tr", "uk"],
        "category_ids": [str(network.other_category)],
        "target_group_ids": [str(network.target_group)],
    }, follow_redirects=False)
    assert response.status_code == 303, response.text
    row = one(Service.select().where(Service.id == service_id))
    assert (row["name"], row["status"], row["minimum_age"]) == (
        "Neuer Name", "temporarily closed", 18)
    assert row["free_of_charge"] is False
    codes = run(ServiceLanguage.select(ServiceLanguage.code).where(
        ServiceLanguage.service == service_id))
    assert sorted(c["code"] for c in codes) == ["tr", "uk"]
    shown = client.get(response.headers["location"]).text
    assert "Änderungen gespeichert" in shown, shown
    assert "Migrationsberatung" in shown
    assert events("directory.service_changed")


def test_edit_page_shows_errors_and_keeps_the_input(network: Network, make_service: Any,
                                                    client: TestClient, login: Any) -> None:
    service_id = _offer(network, make_service, name="Kurs")
    login(client, network.provider_a)
    response = client.post(f"/offers/{service_id}/edit", data={
        "name": "", "description": "Mein Entwurf", "minimum_age": "zwölf",
    })
    assert response.status_code == 400
    assert 'role="alert"' in response.text and "Mein Entwurf" in response.text
    assert one(Service.select(Service.name))["name"] == "Kurs"
    assert events() == []


def test_edit_page_is_refused_for_other_organisations(network: Network, make_service: Any,
                                                      client: TestClient,
                                                      login: Any) -> None:
    service_id = _offer(network, make_service)
    login(client, network.provider_b)
    assert client.get(f"/offers/{service_id}/edit").status_code == 403
    assert client.post(f"/offers/{service_id}/edit", data={"name": "X"}).status_code == 403
