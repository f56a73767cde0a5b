"""The OpenAPI document is true and useful: every operation of every route the app serves has
a summary and a description, its success answer with a media type and a schema, its refusals;
feeds speak iCalendar, the import takes iCalendar, the HSDS API HSDS JSON (and NDJSON), and
public operations do not demand a token. Built without a database."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar, get

from core.openapi import document_errors, problems

FEEDS = ("/calendars/services/{feed}", "/calendars/organizations/{feed}",
         "/calendars/feeds/{feed}")
HSDS_LISTS = ("/hsds/services", "/hsds/organizations", "/hsds/service_at_locations",
              "/hsds/taxonomies", "/hsds/taxonomy_terms")
HSDS_RECORDS = ("/hsds/services/{service_id}", "/hsds/organizations/{organization_id}",
                "/hsds/service_at_locations/{sal_id}", "/hsds/taxonomies/{taxonomy_id}",
                "/hsds/taxonomy_terms/{term_id}")


@pytest.fixture(scope="module")
def app() -> Litestar:
    from app import create_app

    return create_app()


@pytest.fixture(scope="module")
def document(app: Litestar) -> dict[str, Any]:
    return app.openapi_schema.to_schema()


def test_every_operation_of_every_route_is_documented(app: Litestar) -> None:
    """Iterates the app's routes, so a route added anywhere is held to it too; each failure
    line names the handler and what to add."""
    found = problems(app)
    assert not found, "\n" + "\n".join(found)


def test_the_check_says_exactly_what_an_undocumented_handler_lacks() -> None:
    @get("/bare", operation_id="bare", sync_to_thread=False)
    def bare() -> dict[str, str]:
        return {}

    app = Litestar(route_handlers=[bare])
    document_errors(app)
    [line] = problems(app)
    assert line.startswith("GET /bare (tests/test_openapi_document.py:")
    assert " bare): add a docstring whose first line is a summary" in line
    assert "say more than the summary" in line


def test_operations_are_not_summarised_by_their_identifiers(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                summary = operation["summary"]
                assert summary.replace(" ", "") != operation["operationId"][:1].upper() + \
                    operation["operationId"][1:], (method, path)
                assert " " in summary, (method, path, summary)


def test_feeds_are_icalendar_public_and_cacheable(document: dict[str, Any]) -> None:
    for path in FEEDS:
        get_op, head_op = document["paths"][path]["get"], document["paths"][path]["head"]
        assert list(get_op["responses"]["200"]["content"]) == ["text/calendar"]
        assert "304" in get_op["responses"] and "304" in head_op["responses"]
        assert "content" not in head_op["responses"]["200"]
        # Public: the token is optional (an empty requirement), not the inherited bearer alone.
        assert {} in get_op["security"] and {} in head_op["security"]


def test_the_import_takes_an_icalendar_body(document: dict[str, Any]) -> None:
    operation = document["paths"]["/api/calendars/services/{service_id}/import"]["post"]
    assert list(operation["requestBody"]["content"]) == ["text/calendar"]
    assert operation["requestBody"]["required"] is True
    assert {"200", "400", "413"} <= set(operation["responses"])


def test_hsds_operations_answer_hsds_json(document: dict[str, Any]) -> None:
    page = document["components"]["schemas"]["HsdsPage"]
    assert {"total_items", "page_number", "contents"} <= set(page["properties"])
    for path in HSDS_LISTS:
        for method in ("get", "post"):
            operation = document["paths"][path][method]
            content = operation["responses"]["200"]["content"]
            page_ref = {"$ref": "#/components/schemas/HsdsPage"}
            assert content["application/json"]["schema"] == page_ref
            assert "application/x-ndjson" in content
            assert "201" not in operation["responses"] and "409" not in operation["responses"]
            assert {} in operation["security"]
        assert "content" not in document["paths"][path]["head"]["responses"]["200"]
    for path in HSDS_RECORDS:
        operation = document["paths"][path]["get"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == (
            "object")
        assert "404" in operation["responses"]
        assert "schema_reference" in operation["responses"]["200"]["description"]


def test_fhir_operations_answer_fhir_json(document: dict[str, Any]) -> None:
    for path in ("/fhir/Task", "/fhir/ServiceRequest", "/fhir/metadata"):
        content = document["paths"][path]["get"]["responses"]["200"]["content"]
        assert "application/fhir+json" in content, path


def test_the_notification_stream_is_server_sent_events(document: dict[str, Any]) -> None:
    content = document["paths"]["/notifications/stream"]["get"]["responses"]["200"]["content"]
    assert list(content) == ["text/event-stream"]
