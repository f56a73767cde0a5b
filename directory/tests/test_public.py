"""The optional public read-only directory (LOTSE_PUBLIC_DIRECTORY)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import TestClient

import settings


@pytest.fixture
def public(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LOTSE_PUBLIC_DIRECTORY", "true")
    settings.get_settings.cache_clear()
    yield
    monkeypatch.delenv("LOTSE_PUBLIC_DIRECTORY")
    settings.get_settings.cache_clear()


def test_directory_needs_log_in_by_default(make_org: Any, make_service: Any,
                                          client: TestClient) -> None:
    service_id = make_service(make_org())
    assert client.get("/api/services").status_code == 401
    assert client.get(f"/api/services/{service_id}").status_code == 401
    page = client.get("/offers", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_public_directory_reads_without_log_in(public: None, make_org: Any,
                                               make_service: Any, client: TestClient) -> None:
    org = make_org("Caritas Mülheim")
    service_id = make_service(org, name="Sprachcafé", assurer_email="staff@caritas.example")
    retired_id = make_service(org, name="Alt")
    from conftest import run
    from directory.tables import Service

    run(Service.update({Service.retired_at: datetime(2026, 1, 1, tzinfo=UTC)}).where(
        Service.id == retired_id))
    listed = client.get("/api/services").json()
    assert [item["name"] for item in listed["items"]] == ["Sprachcafé"]
    detail = client.get(f"/api/services/{service_id}").json()
    assert detail["assurer_email"] is None
    assert client.get(f"/api/services/{retired_id}").status_code == 404
    assert client.get("/api/services?include_retired=true").status_code == 403
    assert client.get(f"/api/organizations/{org}").status_code == 200
    assert "Sprachcafé" in client.get("/offers").text
    assert "Sprachcafé" in client.get(f"/offers/{service_id}").text
    assert client.get(f"/organizations/{org}").status_code == 200
    # Writing still needs a log-in.
    assert client.patch(f"/api/services/{service_id}", json={"name": "X"}).status_code == 401
    assert client.get("/my-offers", follow_redirects=False).status_code in (303, 401)
