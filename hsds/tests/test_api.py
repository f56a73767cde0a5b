"""The HSDS API under /hsds/: valid responses, filters combined with AND, paging, access."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import run
from directory.tables import Service
from hsds import extensions as ext
from hsds import schema
from hsds.tests.conftest import allow_all
from hsds.tests.sample import STAMP
from settings import get_settings


@pytest.fixture
def public(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LOTSE_HSDS_PUBLIC", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("LOTSE_HSDS_PUBLIC")
    get_settings.cache_clear()


@pytest.fixture
def api(public: None, network: dict[str, Any], client: Any) -> Any:
    return client


def valid(path: str, body: Any) -> Any:
    if schema.schema_dir_available():
        assert schema.response_errors(path, body) == []
    return body


def names(body: dict[str, Any]) -> set[str]:
    return {item["name"] for item in body["contents"]}


def test_the_api_needs_a_login_unless_public(network: dict[str, Any], client: Any) -> None:
    response = client.get("/hsds/services")
    assert response.status_code == 401
    assert "API token" in response.json()["detail"]
    # The description of the format itself is no secret.
    assert client.get("/hsds/profile").status_code == 200


def test_an_api_token_opens_the_api(
    network: dict[str, Any], make_user: Any, api_client: Any
) -> None:
    reader = api_client(make_user("viewer"))
    assert reader.get("/hsds/services").status_code == 200
    assert reader.get("/hsds/services", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_the_public_directory_setting_opens_it_too(
    network: dict[str, Any], client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOTSE_PUBLIC_DIRECTORY", "true")
    get_settings.cache_clear()
    try:
        assert client.get("/hsds/taxonomies").status_code == 200
    finally:
        monkeypatch.delenv("LOTSE_PUBLIC_DIRECTORY")
        get_settings.cache_clear()


def test_root_names_version_profile_and_openapi(api: Any) -> None:
    body = valid("/", api.get("/hsds/").json())
    assert body["version"] == "3.1"
    assert body["profile"].endswith("/hsds/profile")
    assert api.get("/hsds/profile").json()["attributes"]
    assert api.get("/schema/openapi.json").status_code == 200


def test_every_endpoint_answers_valid_hsds(
    api: Any, network: dict[str, Any], hsds_schemas: Path
) -> None:
    for path in (
        "/services",
        "/organizations",
        "/service_at_locations",
        "/taxonomies",
        "/taxonomy_terms",
    ):
        for query in ("", "?full=true"):
            body = api.get(f"/hsds{path}{query}").json()
            assert body["total_items"] > 0, path
            valid(path, body)
    valid("/services/{id}", api.get(f"/hsds/services/{network['advice']}").json())
    org = valid(
        "/organizations/{id}",
        api.get(f"/hsds/organizations/{network['caritas']}?full_service=true").json(),
    )
    assert [s["name"] for s in org["services"]] == ["Migrationsberatung für Erwachsene"]
    sal = api.get("/hsds/service_at_locations").json()["contents"][0]
    valid("/service_at_locations/{id}", api.get(f"/hsds/service_at_locations/{sal['id']}").json())
    term = api.get("/hsds/taxonomy_terms").json()["contents"][0]
    valid("/taxonomy_terms/{id}", api.get(f"/hsds/taxonomy_terms/{term['id']}").json())
    taxonomy = api.get("/hsds/taxonomies").json()["contents"][0]
    valid("/taxonomies/{id}", api.get(f"/hsds/taxonomies/{taxonomy['id']}").json())


def test_full_service_has_every_part(api: Any, network: dict[str, Any]) -> None:
    body = api.get(f"/hsds/services/{network['advice']}").json()
    for key in (
        "organization",
        "service_at_locations",
        "schedules",
        "languages",
        "phones",
        "contacts",
        "capacities",
        "cost_options",
        "attributes",
    ):
        assert key in body, key
    assert body["capacities"][0]["unit"]["name"] == "Termine pro Woche"


def test_paging_fields(api: Any) -> None:
    first = valid("/services", api.get("/hsds/services?per_page=2").json())
    assert (first["total_items"], first["total_pages"], first["size"]) == (3, 2, 2)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    second = api.get("/hsds/services?per_page=2&page=2").json()
    assert second["size"] == 1 and second["last_page"] and not second["first_page"]
    assert not names(first) & names(second)
    beyond = api.get("/hsds/services?per_page=2&page=5").json()
    assert beyond["empty"] and beyond["contents"] == []


def test_filters_combine_with_and(api: Any, network: dict[str, Any]) -> None:
    def found(query: str) -> set[str]:
        response = api.get(f"/hsds/services?{query}")
        assert response.status_code == 200, response.text
        return names(valid("/services", response.json()))

    vhs = network["vhs"]
    assert found(f"organization_id={vhs}") == {"Integrationskurs B1", "Sprachcafé"}
    assert found("search=kurs") == {"Integrationskurs B1"}
    assert found(f"search=caf&organization_id={vhs}") == {"Sprachcafé"}
    assert found(f"search=kurs&organization_id={network['caritas']}") == set()
    # A category finds offers filed under its sub-categories.
    assert found(f"taxonomy_term_id={network['sprache']}") == {"Integrationskurs B1"}
    assert found(f"taxonomy_term_id={network['zielgruppe.frauen']}&organization_id={vhs}") == set()
    assert found("postcode=45476") == {"Migrationsberatung für Erwachsene"}
    assert found("postcode=45476&proximity=2000") == {"Migrationsberatung für Erwachsene"}


def test_modified_after(api: Any, network: dict[str, Any]) -> None:
    later = STAMP.replace(year=STAMP.year + 1)
    run(Service.update({Service.last_modified: later}).where(Service.id == network["cafe"]))
    body = api.get("/hsds/services", params={"modified_after": "2026-06-01T00:00:00+00:00"})
    assert names(body.json()) == {"Sprachcafé"}


def test_taxonomy_filter_and_term_tree(api: Any, network: dict[str, Any]) -> None:
    terms = api.get("/hsds/taxonomy_terms?top_only=true").json()
    # The Lotse profile terms are top terms too: attributes name them.
    assert {t["code"] for t in terms["contents"]} == {"sprache", "zielgruppe.frauen", *ext.FIELDS}
    children = api.get(f"/hsds/taxonomy_terms?parent_id={network['sprache']}").json()
    assert [t["code"] for t in children["contents"]] == ["sprache.integrationskurs"]


def test_ndjson_streams_every_match(api: Any, hsds_schemas: Path) -> None:
    response = api.get("/hsds/services?format=ndjson&full=true")
    assert response.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in response.text.splitlines()]
    assert len(records) == 3
    for record in records:
        assert schema.record_errors("service", record) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("organization_id=abc", "organization_id must be a UUID"),
        ("modified_after=yesterday", "modified_after"),
        ("proximity=500", "postcode"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("format=xml", "format"),
    ],
)
def test_wrong_filters_answer_400_with_a_reason(api: Any, query: str, message: str) -> None:
    response = api.get(f"/hsds/services?{query}")
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_unknown_ids_answer_404(api: Any) -> None:
    for path in (
        "/hsds/services/nope",
        "/hsds/services/6a1c1f35-0b9e-4a40-9e1f-4a1f3c2b1a00",
        "/hsds/organizations/x",
        "/hsds/taxonomy_terms/x",
    ):
        assert api.get(path).status_code == 404, path


def test_another_lotse_is_read_through_its_hsds_api(public: None, network: dict[str, Any]) -> None:
    import httpx

    from app import create_app
    from hsds.importer import ImportOptions, import_source

    app: Any = create_app()
    transport = httpx.ASGITransport(app=app)
    options = ImportOptions(transport=transport)
    allow_all("http://lotse.test/hsds/")
    first = run(import_source("http://lotse.test/hsds/", options))
    assert first.error_count == 0, first.errors
    # The differences: the sample's website "www.caritas.example" is published with https://,
    # and the advice contact's own e-mail address is not published (so it is not read back).
    assert first.total("updated") == 2 and first.total("created") == 0
    report = run(import_source("http://lotse.test/hsds/", options))
    assert report.counts[("service", "unchanged")] == 3
    assert report.counts[("organization", "unchanged")] == 2
    assert report.total("created") == report.total("updated") == 0


def test_a_protected_api_without_token_is_refused(network: dict[str, Any]) -> None:
    import httpx

    from app import create_app
    from hsds.importer import ImportOptions, import_source
    from hsds.sources import SourceError

    app: Any = create_app()
    transport = httpx.ASGITransport(app=app)
    with pytest.raises(SourceError, match="access refused"):
        run(import_source("http://lotse.test/hsds", ImportOptions(transport=transport)))
