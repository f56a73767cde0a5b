"""Malformed request bodies are the client's mistake: 400 with a message, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

DEEP = b"[" * 1200 + b"]" * 1200
ENDPOINTS = ["/api/tokens", "/api/organizations", "/api/webhooks"]


@pytest.fixture
def admin_api(api_client: Any, make_user: Any) -> Any:
    return api_client(make_user("network_admin"))


def _post(api: Any, path: str, body: bytes) -> Any:
    return api.post(path, content=body, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("body", [DEEP, b'{"name": ' + DEEP + b"}"])
def test_json_nested_too_deeply_is_a_400(admin_api: Any, path: str, body: bytes) -> None:
    response = _post(admin_api, path, body)
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is nested too deeply."


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_body_that_is_not_utf_8_is_a_400(admin_api: Any, path: str) -> None:
    response = _post(admin_api, path, b'{"name": "\xff\xfe"}')
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is not valid UTF-8."

