"""The referral pages with a logged-in browser session (forms, CSRF, German and English)."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from app import create_app
from outbox.dispatcher import drain_sync
from referrals.tests.exchange_support import Exchange


def session(login: Any, user: Any) -> TestClient:
    client = TestClient(app=create_app())
    client.__enter__()
    login(client, user)
    return client


def form_body(ex: Exchange, action: str = "send", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "service_id": str(ex.service_id),
        "client_id": str(ex.client_id),
        "need_category": "language_course",
        "need_text": "Deutschkurs B1",
        "urgency": "high",
        "languages": "ar, tr",
        "interpreter_needed": "yes",
        "preferred_times": "vormittags",
        "district": "Styrum",
        "age_band": "27-44",
        "notes": "Kinder in der Kita",
        "shared_categories": ["identity", "contact"],
        "action": action,
    }
    body.update(changes)
    return body


def test_refer_from_form_then_answer_in_inbox(exchange, login):
    sender = session(login, exchange.case_manager)
    receiver = session(login, exchange.provider)
    try:
        page = sender.get(f"/referrals/new?service={exchange.service_id}")
        assert page.status_code == 200
        assert "Neue Vermittlung" in page.text and "Deutschkurs B1" in page.text
        assert "K-0001" in page.text

        sent = sender.post("/referrals/new", data=form_body(exchange), follow_redirects=False)
        assert sent.status_code == 303, sent.text
        detail_url = sent.headers["location"].split("?")[0]
        referral_id = detail_url.rsplit("/", 1)[1]
        detail = sender.get(sent.headers["location"])
        assert "gesendet" in detail.text

        inbox = receiver.get("/inbox")
        assert inbox.status_code == 200 and f"/inbox/{referral_id}" in inbox.text
        incoming = receiver.get(f"/inbox/{referral_id}")
        assert "Aylin" not in incoming.text
        assert "Annehmen" in incoming.text and "Ablehnen" in incoming.text

        declined = receiver.post(f"/inbox/{referral_id}/transition",
                                 data={"to": "declined", "reason": ""})
        assert declined.status_code == 400
        assert "Bitte wählen Sie einen Grund" in declined.text

        accepted = receiver.post(
            f"/inbox/{referral_id}/transition",
            data={"to": "accepted", "appointment": "Di 9 Uhr"},
            follow_redirects=False,
        )
        assert accepted.status_code == 303
        after = receiver.get(accepted.headers["location"])
        assert "Aylin" in after.text and "Di 9 Uhr" in after.text

        drain_sync()
        notes = sender.get("/notifications")
        assert "hat Ihre Vermittlung angenommen" in notes.text
        english = sender.get("/notifications", headers={"Accept-Language": "en"})
        assert "Deutschkurs B1 accepted your referral" in english.text
    finally:
        sender.__exit__(None, None, None)
        receiver.__exit__(None, None, None)


def test_form_without_offer_points_to_search(exchange, login):
    sender = session(login, exchange.case_manager)
    try:
        page = sender.get("/referrals/new")
        assert page.status_code == 200 and 'href="/search"' in page.text
    finally:
        sender.__exit__(None, None, None)


def test_send_without_covering_consent_names_what_is_missing_and_keeps_the_input(
    exchange, login
):
    sender = session(login, exchange.case_manager)
    try:
        body = form_body(exchange, shared_categories=["identity", "health"])
        sent = sender.post("/referrals/new", data=body)
        assert sent.status_code == 409
        assert "deckt nicht ab: Gesundheit (besondere Kategorie)" in sent.text
        assert "Einwilligung erweitern" in sent.text
        assert body["need_text"] in sent.text
        # Refused before anything was written: no draft was left behind.
        assert "K-0001" not in sender.get("/referrals?state=draft").text
    finally:
        sender.__exit__(None, None, None)


def test_pages_need_the_right_role(exchange, login, make_user):
    viewer = make_user("viewer", exchange.sender_org)
    client = session(login, viewer)
    try:
        assert client.get("/referrals").status_code == 403
        assert client.get("/inbox").status_code == 403
        assert client.get(f"/referrals/new?service={exchange.service_id}").status_code == 403
    finally:
        client.__exit__(None, None, None)


def test_provider_registers_a_webhook_and_sees_the_secret_once(exchange, login, resolves):
    resolves({"vhs.example": "93.184.215.14"})
    provider = session(login, exchange.provider)
    try:
        created = provider.post("/webhooks", data={
            "organization_id": str(exchange.provider_org), "url": "https://vhs.example/hook"},
            follow_redirects=False)
        # Post/redirect/get: a reload of the page showing the secret registers nothing twice.
        assert created.status_code == 303
        assert created.headers["location"] == "/webhooks"
        shown = provider.get("/webhooks")
        assert "whsec_" in shown.text
        assert shown.headers["cache-control"] == "no-store"
        listed = provider.get("/webhooks")
        assert "https://vhs.example/hook" in listed.text and "whsec_" not in listed.text
        bad = provider.post("/webhooks", data={
            "organization_id": str(exchange.provider_org), "url": "vhs.example"})
        assert bad.status_code == 400
    finally:
        provider.__exit__(None, None, None)
