"""The HSDS API as other systems use it: every referenced term resolves and filters, the API
and the export agree on the taxonomies, full_service on lists, POST and HEAD, and CORS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import run
from hsds import extensions as ext
from hsds import schema
from hsds.export import export_directory
from settings import get_settings

LISTS = ("/services", "/organizations", "/service_at_locations", "/taxonomies", "/taxonomy_terms")


@pytest.fixture
def api(network: dict[str, Any], client: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("LOTSE_HSDS_PUBLIC", "true")
    monkeypatch.setenv("LOTSE_HSDS_CORS_ORIGINS", "https://karte.example.de")
    get_settings.cache_clear()
    yield client
    monkeypatch.undo()
    get_settings.cache_clear()


def _term_ids(value: object) -> Iterator[str]:
    """Every taxonomy_term_id anywhere in an HSDS document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "taxonomy_term_id" and isinstance(item, str):
                yield item
            else:
                yield from _term_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _term_ids(item)


def _names(response: Any) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["name"] for item in response.json()["contents"]}


def test_every_referenced_taxonomy_term_resolves(api: Any) -> None:
    referenced: set[str] = set()
    for path in ("/services?full=true", "/organizations?full=true", "/service_at_locations"):
        referenced |= set(_term_ids(api.get(f"/hsds{path}").json()))
    assert set(ext.TERM_CODES_BY_ID) <= referenced
    for term_id in sorted(referenced):
        response = api.get(f"/hsds/taxonomy_terms/{term_id}")
        assert response.status_code == 200, term_id
        body = response.json()
        assert body["id"] == term_id and body["name"]
        assert api.get(f"/hsds/taxonomies/{body['taxonomy_id']}").status_code == 200
        if schema.schema_dir_available():
            assert schema.response_errors("/taxonomy_terms/{id}", body) == []


def test_lotse_profile_terms_filter_offers_by_their_fact(api: Any) -> None:
    def found(code: str, path: str = "/services") -> set[str]:
        return _names(api.get(f"/hsds{path}", params={"taxonomy_term_id": ext.term_id(code)}))

    advice, course, cafe = "Migrationsberatung für Erwachsene", "Integrationskurs B1", "Sprachcafé"
    assert found("free-of-charge") == {advice, cafe}
    assert found("wheelchair-accessible") == {advice}
    assert found("waitlist-open") == {advice}
    assert found("district") == {advice, course}
    assert found("organization-kind") == {advice, course, cafe}
    assert found("wheelchair-accessible", "/organizations") == {"Caritasverband Mülheim"}
    places = api.get("/hsds/service_at_locations",
                     params={"taxonomy_term_id": ext.term_id("wheelchair-accessible")}).json()
    assert {item["service"]["name"] for item in places["contents"]} == {advice}
    every = api.get("/hsds/services", params={"taxonomy_id": ext.TAXONOMY_ID})
    assert _names(every) == {advice, course, cafe}


def test_api_and_export_list_the_same_taxonomies_and_terms(api: Any, tmp_path: Path) -> None:
    run(export_directory(tmp_path, tabular=False))
    for name, path in (("taxonomies", "/taxonomies"), ("taxonomy_terms", "/taxonomy_terms")):
        exported = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
        listed = api.get(f"/hsds{path}", params={"per_page": 500}).json()
        assert listed["total_items"] == len(exported)
        assert {doc["id"] for doc in listed["contents"]} == {doc["id"] for doc in exported}
    lotse = api.get("/hsds/taxonomy_terms", params={"taxonomy_id": ext.TAXONOMY_ID}).json()
    assert {doc["code"] for doc in lotse["contents"]} == set(ext.FIELDS)
    assert api.get(f"/hsds/taxonomies/{ext.TAXONOMY_ID}").json()["name"] == "Lotse"


def test_full_service_on_the_organization_list_nests_the_services(
    api: Any, network: dict[str, Any]
) -> None:
    plain = api.get("/hsds/organizations").json()["contents"]
    assert all("services" not in org for org in plain)
    body = api.get("/hsds/organizations", params={"full_service": "true"}).json()
    by_name = {org["name"]: org for org in body["contents"]}
    caritas = by_name["Caritasverband Mülheim"]["services"]
    assert [service["name"] for service in caritas] == ["Migrationsberatung für Erwachsene"]
    assert caritas[0]["service_at_locations"] and "attributes" in caritas[0]
    assert {s["name"] for s in by_name["Volkshochschule"]["services"]} == {
        "Integrationskurs B1", "Sprachcafé"}
    if schema.schema_dir_available():
        assert schema.response_errors("/organizations", body) == []


@pytest.mark.parametrize("path", LISTS)
def test_post_lists_answer_like_get(api: Any, path: str) -> None:
    query = {"search": "a", "per_page": 2}
    got = api.get(f"/hsds{path}", params=query)
    posted = api.post(f"/hsds{path}", params=query)
    assert posted.status_code == 200, posted.text
    assert posted.json() == got.json()


def test_post_takes_filters_and_refuses_wrong_ones_with_400(
    api: Any, network: dict[str, Any]
) -> None:
    posted = api.post("/hsds/services", params={"organization_id": str(network["vhs"])})
    assert _names(posted) == {"Integrationskurs B1", "Sprachcafé"}
    wrong = api.post("/hsds/services", params={"taxonomy_term_id": "nope"})
    assert wrong.status_code == 400 and "taxonomy_term_id" in wrong.json()["detail"]


@pytest.mark.parametrize(
    "path", ["/hsds/", "/hsds/services", "/hsds/taxonomy_terms", "/hsds/profile"]
)
def test_head_answers_the_headers_of_get_without_a_body(api: Any, path: str) -> None:
    got = api.get(path)
    head = api.head(path)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]


def test_head_of_an_unknown_record_is_404(api: Any) -> None:
    assert api.head("/hsds/services/0b7d2a4e-0000-4000-8000-000000000000").status_code == 404


def test_cors_lets_the_configured_site_read(api: Any) -> None:
    origin = {"Origin": "https://karte.example.de"}
    response = api.get("/hsds/services", headers=origin)
    assert response.headers["access-control-allow-origin"] == "https://karte.example.de"
    assert "Origin" in response.headers["vary"]
    assert "access-control-allow-credentials" not in response.headers
    preflight = api.options("/hsds/services", headers={
        **origin, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 204
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert "Authorization" in preflight.headers["access-control-allow-headers"]


def test_cors_refuses_other_sites_and_other_apis(api: Any) -> None:
    other = {"Origin": "https://elsewhere.example"}
    assert "access-control-allow-origin" not in api.get("/hsds/services", headers=other).headers
    preflight = api.options("/hsds/services", headers={
        **other, "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in preflight.headers
    # Only the read-only HSDS API is opened, never the JSON API of accounts and referrals.
    mine = {"Origin": "https://karte.example.de"}
    assert "access-control-allow-origin" not in api.get("/api/services", headers=mine).headers


def test_cors_is_off_unless_configured(
    network: dict[str, Any], client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOTSE_HSDS_PUBLIC", "true")
    get_settings.cache_clear()
    try:
        response = client.get("/hsds/services", headers={"Origin": "https://karte.example.de"})
        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_a_wildcard_lets_any_site_read(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOTSE_HSDS_CORS_ORIGINS", "*")
    get_settings.cache_clear()
    response = api.get("/hsds/taxonomies", headers={"Origin": "https://any.example"})
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("value", ["karte.example.de", "https://karte.example.de/pfad"])
def test_a_wrong_cors_setting_stops_start_up_with_its_name(value: str) -> None:
    from settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="LOTSE_HSDS_CORS_ORIGINS"):
        load_settings({"LOTSE_HSDS_CORS_ORIGINS": value, "LOTSE_SECRET_KEY": "x" * 40})
