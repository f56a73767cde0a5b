"""An offer's description in the languages its provider gave: shown on the offer page in that
language and direction; where none exists, the German one stands with a notice."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from conftest import run
from directory.tables import Service, ServiceTranslation
from directory.tests.conftest import Network


def _translated(network: Network, make_service: Any) -> Any:
    service_id = make_service(network.org_a, name="Deutschkurs")
    run(Service.update({Service.description: "Kurs für Erwachsene."}).where(
        Service.id == service_id))
    run(ServiceTranslation(service=service_id, language="ar", name="دورة اللغة",
                           description="دورة للكبار.").save())
    return service_id


def test_offer_page_shows_the_arabic_description_right_to_left(
    network: Network, make_service: Any, client: TestClient, login: Any
) -> None:
    service_id = _translated(network, make_service)
    login(client, network.viewer)
    page = client.get(f"/offers/{service_id}?text=ar")
    assert page.status_code == 200
    assert 'lang="ar" dir="rtl"' in page.text and "دورة للكبار." in page.text
    assert "Kurs für Erwachsene." in page.text
    plain = client.get(f"/offers/{service_id}")
    assert "دورة للكبار." not in plain.text and 'href="?text=ar"' in plain.text


def test_offer_page_falls_back_to_german_with_a_notice(
    network: Network, make_service: Any, client: TestClient, login: Any
) -> None:
    service_id = _translated(network, make_service)
    login(client, network.viewer)
    page = client.get(f"/offers/{service_id}?text=prs")
    assert page.status_code == 200
    assert "Kurs für Erwachsene." in page.text
    assert "Für Dari gibt es noch keine Beschreibung" in page.text


def test_a_malformed_language_is_refused(
    network: Network, make_service: Any, client: TestClient, login: Any
) -> None:
    service_id = _translated(network, make_service)
    login(client, network.viewer)
    assert client.get(f"/offers/{service_id}?text=<b>").status_code == 400
