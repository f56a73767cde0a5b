"""Webhooks cannot be pointed at the server's own network: refused when registered, refused
again when delivered (the name may resolve elsewhere by then), and a failed delivery does not
tell what answered, so the error cannot be used to scan ports."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import referrals.consumers  # noqa: F401  (subscribes the consumers)
from conftest import run
from outbox.dispatcher import drain_sync
from referrals import transitions, webhooks
from referrals.tables import WebhookEndpoint
from referrals.tests.exchange_support import Exchange, new_referral

PUBLIC = "93.184.215.14"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8399/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.1.1/x",
        "http://[::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://10.0.0.1/x",
        "https://[fd00::1]/x",
        "https://localhost/x",
        "https://2130706433/x",
    ],
)
def test_webhook_to_a_private_address_is_refused(exchange, api_client, url):
    provider = api_client(exchange.provider)
    answer = provider.post(
        "/api/webhooks", json={"organization_id": str(exchange.provider_org), "url": url}
    )
    assert answer.status_code == 400
    assert "private network" in answer.json()["detail"]
    assert run(WebhookEndpoint.count()) == 0


def test_webhook_to_a_name_resolving_privately_is_refused(exchange, api_client, resolves):
    resolves({"hooks.vhs.example": ["93.184.215.14", "10.1.2.3"]})
    answer = api_client(exchange.provider).post("/api/webhooks", json={
        "organization_id": str(exchange.provider_org), "url": "https://hooks.vhs.example/x"})
    assert answer.status_code == 400
    assert "hooks.vhs.example is in a private network" in answer.json()["detail"]


def test_webhook_to_a_public_address_must_use_https(exchange, api_client, resolves):
    resolves({"hooks.vhs.example": PUBLIC})
    provider = api_client(exchange.provider)
    plain = provider.post("/api/webhooks", json={
        "organization_id": str(exchange.provider_org), "url": "http://hooks.vhs.example/x"})
    assert plain.status_code == 400 and "https://" in plain.json()["detail"]
    secure = provider.post("/api/webhooks", json={
        "organization_id": str(exchange.provider_org), "url": "https://hooks.vhs.example/x"})
    assert secure.status_code == 201


def test_webhook_refusal_is_shown_in_german_on_the_page(exchange, login):
    from referrals.tests.test_pages import session

    provider = session(login, exchange.provider)
    try:
        refused = provider.post("/webhooks", data={
            "organization_id": str(exchange.provider_org), "url": "http://127.0.0.1:9/x"})
        assert refused.status_code == 400
        assert "privaten Netz" in refused.text
    finally:
        provider.__exit__(None, None, None)


def test_delivery_is_refused_when_the_name_resolves_privately_by_then(
    exchange, resolves, monkeypatch
):
    resolves({"hooks.vhs.example": PUBLIC})
    run(webhooks.create_endpoint(webhooks.EndpointIn(
        organization_id=exchange.provider_org, url="https://hooks.vhs.example/x"),
        exchange.receiver))
    resolves({"hooks.vhs.example": "127.0.0.1"})
    called: list[Any] = []

    async def no_network(*args: Any, **kwargs: Any) -> None:
        called.append(args)

    monkeypatch.setattr("httpx.AsyncClient.send", no_network)
    failures = run(webhooks.deliver("e1", "referral.sent", {exchange.provider_org}, {"a": 1}))
    assert len(failures) == 1 and called == []
    endpoint = run(WebhookEndpoint.select().first())
    assert endpoint is not None
    assert endpoint["last_error"] == webhooks.DELIVERY_FAILED


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def answers_405() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(405)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def _last_error(ex: Exchange, url: str) -> str:
    run(WebhookEndpoint.delete().where(WebhookEndpoint.id.is_not_null()))
    run(webhooks.create_endpoint(
        webhooks.EndpointIn(organization_id=ex.provider_org, url=url), ex.receiver))
    run(transitions.transition(new_referral(ex), "sent", ex.sender))
    drain_sync()
    row = run(WebhookEndpoint.select().first())
    assert row is not None
    return str(row["last_error"])


def test_last_error_is_the_same_for_a_closed_port_and_an_http_error(
    exchange, loopback_allowed, answers_405
):
    refused = _last_error(exchange, f"http://127.0.0.1:{_closed_port()}/hook")
    not_allowed = _last_error(exchange, answers_405)
    assert refused == not_allowed == webhooks.DELIVERY_FAILED
    assert "405" not in refused and "Error" not in refused
