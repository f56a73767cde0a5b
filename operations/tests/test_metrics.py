"""Prometheus metrics: by route template, without personal data, and not for everyone."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import uuid4

import pytest
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException

import settings as settings_module
from conftest import run
from core.db import atomic
from operations import metrics, web
from outbox import registry
from outbox.publish import publish

TOKEN = "metrics-token-0123456789-abcdef"


@pytest.fixture
def with_token(monkeypatch: pytest.MonkeyPatch) -> None:
    configured = replace(settings_module.get_settings(), metrics_token=TOKEN)
    monkeypatch.setattr(web, "get_settings", lambda: configured)


def _scrape(client: Any) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return str(response.text)


def test_requests_are_counted_by_route_template_not_by_path(client: Any, with_token: None
                                                            ) -> None:
    organization_id = uuid4()
    client.get(f"/api/organizations/{organization_id}")
    text = _scrape(client)
    assert 'route="/api/organizations/{organization_id}"' in text
    assert "lotse_http_request_duration_seconds_bucket" in text
    assert str(organization_id) not in text


def test_figures_from_the_database_are_scraped(client: Any, with_token: None) -> None:
    async def change() -> None:
        async with atomic():
            await publish("directory.organization_changed", {"organization_id": "x"})

    run(change())
    text = _scrape(client)
    assert 'lotse_outbox_backlog{consumer="search-indexer"} 1.0' in text
    assert 'lotse_outbox_failing_events{consumer="search-indexer"} 0.0' in text
    assert "lotse_search_index_lag_seconds" in text
    assert 'lotse_referrals{state="sent"} 0.0' in text
    assert "lotse_capacity_stale_offers 0.0" in text
    assert "lotse_search_up 1.0" in text
    assert 'lotse_client_keys{master_key="current"}' in text


def test_search_lag_is_read_from_the_consumer_that_keeps_the_index() -> None:
    assert metrics.SEARCH_CONSUMER in {c.name for c in registry.consumers()}


def test_metrics_refuse_a_wrong_or_missing_token(client: Any, with_token: None) -> None:
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer " + "x" * 30})
    assert wrong.status_code == 401
    assert "LOTSE_METRICS_TOKEN" in wrong.json()["detail"]


def test_without_a_token_metrics_are_not_served_to_other_machines(client: Any) -> None:
    # The test client connects from "testclient", i.e. not from loopback.
    assert client.get("/metrics").status_code == 403


def _connection(address: str, headers: dict[str, str] | None = None) -> ASGIConnection:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return ASGIConnection({"type": "http", "client": (address, 40000), "headers": raw,
                           "path": "/metrics", "query_string": b""})  # type: ignore[arg-type]


def test_without_a_token_only_unproxied_loopback_requests_may_read_metrics() -> None:
    handler: Any = None
    web.metrics_access(_connection("127.0.0.1"), handler)
    web.metrics_access(_connection("::1"), handler)
    for refused in (_connection("10.0.0.5"),
                    _connection("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}),
                    _connection("127.0.0.1", {"Forwarded": "for=203.0.113.9"})):
        with pytest.raises(PermissionDeniedException):
            web.metrics_access(refused, handler)
