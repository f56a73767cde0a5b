"""The OpenAPI document names the refusals an integration must be ready for, with their body."""

from __future__ import annotations

from typing import Any

import pytest

ERROR = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def document(migrated: None) -> dict[str, Any]:
    from app import create_app

    return create_app().openapi_schema.to_schema()


def _statuses(document: dict[str, Any], method: str, path: str) -> set[str]:
    return set(document["paths"][path][method]["responses"])


def test_every_operation_documents_an_invalid_token(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                assert "401" in operation["responses"], f"{method.upper()} {path}"


def test_changes_document_refusal_missing_and_conflict(document: dict[str, Any]) -> None:
    transition = document["paths"]["/api/referrals/{referral_id}/transitions"]["post"]
    assert {"400", "401", "403", "404", "409"} <= set(transition["responses"])
    assert transition["responses"]["409"]["content"]["application/json"]["schema"] == ERROR


def test_reads_by_id_document_not_found_but_not_conflict(document: dict[str, Any]) -> None:
    statuses = _statuses(document, "get", "/api/referrals/{referral_id}")
    assert {"401", "403", "404"} <= statuses
    assert "409" not in statuses


def test_public_feed_without_query_cannot_be_forbidden(document: dict[str, Any]) -> None:
    statuses = _statuses(document, "get", "/calendars/services/{feed}")
    assert "403" not in statuses
    assert "404" in statuses


def test_public_list_with_filters_documents_forbidden(document: dict[str, Any]) -> None:
    # include_retired is for the coordination and a provider's own organisation only.
    assert "403" in _statuses(document, "get", "/api/services")


def test_error_body_matches_what_the_server_sends(document: dict[str, Any]) -> None:
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"status_code", "detail"}
    assert set(error["properties"]) == {"status_code", "detail", "extra"}


def test_public_operations_take_the_token_as_optional(document: dict[str, Any]) -> None:
    profile = document["paths"]["/hsds/profile"]["get"]
    assert {} in profile["security"]
    # Everything else inherits the document's required bearer token.
    assert "security" not in document["paths"]["/api/referrals"]["get"]


def test_hsds_profile_answers_without_a_token(client: Any) -> None:
    response = client.get("/hsds/profile")
    assert response.status_code == 200, response.text
