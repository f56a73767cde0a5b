"""Every referral and client endpoint (API and pages), as every role of a foreign organisation
and anonymously: nothing leaks and nothing changes.

A foreign caller must get the same answer for the real referral or client as for an id that
does not exist, so that not even existence is disclosed. The list of endpoints is checked
against the application's routes, so a new endpoint cannot be forgotten here.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import TestClient

from app import create_app
from clients.tables import Client, Consent
from conftest import run
from core.time import berlin_today as local_today
from referrals.tables import Notification, Referral, ReferralMessage, WebhookEndpoint
from referrals.tests.exchange_support import SECRETS, Exchange, new_referral
from referrals.transitions import transition

FOREIGN_ROLES = ("network_admin", "case_manager", "provider_staff", "viewer")
COVERED_PREFIXES = ("/api/referrals", "/api/inbox", "/api/notifications", "/api/webhooks",
                    "/api/clients", "/referrals", "/inbox", "/notifications", "/clients",
                    "/webhooks")
# A live stream never ends by itself; it is scoped to the caller and checked anonymously only.
STREAM = "/notifications/stream"


def requests_for(ex: Exchange, ids: dict[str, Any]) -> list[tuple[str, str, Any, str]]:
    """(method, path, body, kind) for every endpoint; kind is json, form or none."""
    r, c, k = ids["referral"], ids["client"], ids["consent"]
    n, w = ids["notification"], ids["webhook"]
    consent = {
        "recipient_org_ids": [str(ex.provider_org)], "purpose": "referral",
        "data_categories": ["identity"], "valid_from": local_today().isoformat(),
        "valid_until": (local_today() + timedelta(days=30)).isoformat(), "evidence": "written",
    }
    draft = {"client_id": str(c), "service_id": str(ex.service_id),
             "need_category": "language_course"}
    return [
        ("GET", "/api/referrals", None, "none"),
        ("POST", "/api/referrals", draft, "json"),
        ("GET", "/api/referrals/vocabulary", None, "none"),
        ("GET", f"/api/referrals/{r}", None, "none"),
        ("PATCH", f"/api/referrals/{r}", {"urgency": "urgent"}, "json"),
        ("GET", f"/api/referrals/{r}/fhir", None, "none"),
        ("GET", f"/api/referrals/{r}/messages", None, "none"),
        ("POST", f"/api/referrals/{r}/messages", {"body": "Hallo"}, "json"),
        ("POST", f"/api/referrals/{r}/transitions", {"to": "accepted"}, "json"),
        ("POST", f"/api/referrals/{r}/transitions", {"to": "cancelled"}, "json"),
        ("POST", f"/api/referrals/{r}/transitions",
         {"to": "declined", "reason": "no_capacity"}, "json"),
        ("GET", "/api/inbox", None, "none"),
        ("GET", "/api/notifications", None, "none"),
        ("GET", "/api/notifications/unread-count", None, "none"),
        ("POST", f"/api/notifications/{n}/read", None, "none"),
        ("POST", "/api/notifications/read-all", None, "none"),
        ("GET", "/api/webhooks", None, "none"),
        ("POST", "/api/webhooks",
         {"organization_id": str(ex.sender_org), "url": "http://127.0.0.1:9/x"}, "json"),
        ("DELETE", f"/api/webhooks/{w}", None, "none"),
        ("GET", "/api/clients", None, "none"),
        ("POST", "/api/clients", {"pseudonym": "Neu-1", "organization_id": str(ex.sender_org)},
         "json"),
        ("GET", f"/api/clients/{c}", None, "none"),
        ("PATCH", f"/api/clients/{c}", {"family_name": "Geändert"}, "json"),
        ("GET", f"/api/clients/{c}/personal-data", None, "none"),
        ("GET", f"/api/clients/{c}/export", None, "none"),
        ("POST", f"/api/clients/{c}/erase", {"confirm_pseudonym": "K-0001"}, "json"),
        ("GET", f"/api/clients/{c}/consents", None, "none"),
        ("POST", f"/api/clients/{c}/consents", consent, "json"),
        ("GET", f"/api/clients/{c}/consents/{k}", None, "none"),
        ("POST", f"/api/clients/{c}/consents/{k}/withdraw", {}, "json"),
        ("GET", "/clients", None, "none"),
        ("GET", "/clients/new", None, "none"),
        ("POST", "/clients/new", {"given_name": "Neu", "organization_id": str(ex.sender_org)},
         "form"),
        ("GET", f"/clients/{c}", None, "none"),
        ("GET", f"/clients/{c}/personal", None, "none"),
        ("GET", f"/clients/{c}/edit", None, "none"),
        ("POST", f"/clients/{c}/edit", {"family_name": "Geändert"}, "form"),
        ("GET", f"/clients/{c}/export", None, "none"),
        ("GET", f"/clients/{c}/export.json", None, "none"),
        ("GET", f"/clients/{c}/erase", None, "none"),
        ("POST", f"/clients/{c}/erase", {"confirm_pseudonym": "K-0001"}, "form"),
        ("GET", f"/clients/{c}/consents/new", None, "none"),
        ("POST", f"/clients/{c}/consents/new", {"recipient_org_ids": str(ex.provider_org)},
         "form"),
        ("GET", f"/clients/{c}/consents/preview?variant_code=en", None, "none"),
        ("GET", f"/clients/{c}/consents/{k}", None, "none"),
        ("GET", f"/clients/{c}/consents/{k}/print", None, "none"),
        ("POST", f"/clients/{c}/consents/{k}/withdraw", {"note": "", "confirmed": "yes"},
         "form"),
        ("GET", "/referrals", None, "none"),
        ("GET", f"/referrals/new?service={ex.service_id}&client={c}", None, "none"),
        ("POST", "/referrals/new",
         {**draft, "action": "send", "shared_categories": "identity"}, "form"),
        ("GET", f"/referrals/{r}", None, "none"),
        ("POST", f"/referrals/{r}/transition", {"to": "cancelled"}, "form"),
        ("GET", f"/referrals/{r}/edit", None, "none"),
        ("POST", f"/referrals/{r}/edit", {**draft, "action": "save"}, "form"),
        ("GET", f"/referrals/{r}/slip", None, "none"),
        ("GET", f"/referrals/{r}/slip/pdf", None, "none"),
        ("POST", f"/referrals/{r}/slip/send", {"lang": "de", "size": "a4"}, "form"),
        ("POST", f"/referrals/{r}/messages", {"body": "Hallo"}, "form"),
        ("GET", "/inbox", None, "none"),
        ("GET", f"/inbox/{r}", None, "none"),
        ("POST", f"/inbox/{r}/transition", {"to": "accepted"}, "form"),
        ("GET", "/notifications", None, "none"),
        ("POST", "/notifications/read", None, "none"),
        ("GET", "/webhooks", None, "none"),
        ("POST", "/webhooks",
         {"organization_id": str(ex.sender_org), "url": "http://127.0.0.1:9/x"}, "form"),
        ("POST", f"/webhooks/{w}/delete", None, "none"),
    ]


def _pattern(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_the_list_covers_every_route(exchange: Exchange) -> None:
    ids = {k: uuid4() for k in ("referral", "client", "consent", "notification", "webhook")}
    tried = {(m, _pattern(re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "{}", p.split("?")[0])))
             for m, p, _b, _k in requests_for(exchange, ids)}
    app = create_app()
    routes = {
        (method, _pattern(route.path))
        for route in app.routes
        for method in getattr(route, "methods", set())
        if method not in {"HEAD", "OPTIONS"} and route.path.startswith(COVERED_PREFIXES)
        and route.path != STREAM
    }
    assert routes - tried == set(), "endpoints without an authorisation check"


def _send(client: TestClient, method: str, path: str, body: Any, kind: str) -> Any:
    if kind == "json":
        return client.request(method, path, json=body, follow_redirects=False)
    if kind == "form":
        return client.request(method, path, data=body, follow_redirects=False)
    return client.request(method, path, follow_redirects=False)


def _normalised(text: str, ids: dict[str, Any]) -> str:
    for value in ids.values():
        text = text.replace(str(value), "<id>")
    return text


def _snapshot(ex: Exchange, ids: dict[str, Any]) -> dict[str, Any]:
    return {
        "referral": run(Referral.select().where(Referral.id == ids["referral"]).first()),
        "client": run(Client.select().where(Client.id == ids["client"]).first()),
        "consent": run(Consent.select().where(Consent.id == ids["consent"]).first()),
        "messages": run(ReferralMessage.count()),
        "notification": run(Notification.select().where(
            Notification.id == ids["notification"]).first()),
        "webhooks": run(WebhookEndpoint.select().where(
            WebhookEndpoint.organization == ex.sender_org)),
    }


@pytest.fixture
def scene(exchange: Exchange, loopback_allowed: None) -> dict[str, Any]:
    """A referral that was sent and messaged, and the owner's notification and webhook."""
    from referrals.messages import MessageIn, post_message
    from referrals.webhooks import EndpointIn, create_endpoint

    referral_id = new_referral(exchange)
    run(transition(referral_id, "sent", exchange.sender))
    run(post_message(referral_id, MessageIn(body="Vertraulich: Kita bis 13 Uhr"),
                     exchange.sender))
    note = Notification(user=exchange.case_manager.id, referral=referral_id, kind="message",
                        params={}, dedupe_key="auth-test")
    run(note.save())
    hook = run(create_endpoint(EndpointIn(organization_id=exchange.sender_org,
                                          url="http://127.0.0.1:9/hook"), exchange.sender))
    return {"referral": referral_id, "client": exchange.client_id,
            "consent": exchange.consent_id, "notification": note.id, "webhook": hook.id}


PROTECTED = (*SECRETS, "K-0001", "Styrum", "Deutschkurs B1 am Vormittag", "Kita")


def _check_no_leak(response: Any, ids: dict[str, Any], where: str) -> None:
    text = response.text
    for value in (*PROTECTED, *(str(v) for v in ids.values())):
        assert value not in text, f"{where} leaked {value!r}"


@pytest.mark.parametrize("role", [*FOREIGN_ROLES, "anonymous"])
def test_foreign_roles_and_anonymous_get_nothing(
    role: str, exchange: Exchange, scene: dict[str, Any], make_user: Any, make_org: Any,
    api_client: Any, login: Any,
) -> None:
    before = _snapshot(exchange, scene)
    fake = {k: uuid4() for k in scene}
    pages = TestClient(app=create_app())
    pages.__enter__()
    pages.headers["Accept"] = "text/html"
    if role == "anonymous":
        api = TestClient(app=create_app())
        api.__enter__()
    else:
        user = make_user(role, make_org(f"Fremde Organisation {role}"))
        api = api_client(user)
        login(pages, user)
    try:
        real = requests_for(exchange, scene)
        other = requests_for(exchange, fake)
        for (method, path, body, kind), (_m, fake_path, fake_body, _k) in zip(
            real, other, strict=True
        ):
            client = pages if not path.startswith("/api/") else api
            answer = _send(client, method, path, body, kind)
            where = f"{role} {method} {path}"
            _check_no_leak(answer, scene, where)
            if role == "anonymous":
                expected = 401 if path.startswith("/api/") else 303
                assert answer.status_code == expected, where
                continue
            assert answer.status_code < 500, where
            if answer.status_code < 300:
                continue
            twin = _send(client, method, fake_path, fake_body, kind)
            assert answer.status_code == twin.status_code, where
            assert _normalised(answer.text, scene) == _normalised(twin.text, fake), where
        if role == "anonymous":
            stream = api.get(STREAM)
            assert stream.status_code == 401
    finally:
        if role == "anonymous":
            api.__exit__(None, None, None)
        pages.__exit__(None, None, None)
    assert _snapshot(exchange, scene) == before, f"{role} changed the owner's data"
