"""Notifications leave the system: in-app rows, e-mail to a real SMTP server on loopback, and
signed webhooks to a real HTTP receiver, with retries and without duplicates."""

from __future__ import annotations

import email
import email.policy
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

import referrals.consumers  # noqa: F401  (subscribes the consumers)
from conftest import run
from core.testing.servers import free_port
from outbox.dispatcher import drain_sync
from outbox.tables import OutboxEvent
from referrals import transitions, webhooks
from referrals.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify,
)
from referrals.tables import MailDelivery, Notification, WebhookDelivery
from referrals.tests.exchange_support import SECRETS, Exchange, new_referral
from settings import get_settings


class MailBox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[MailBox]:
    box = MailBox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    configured = replace(get_settings(), smtp_host="127.0.0.1", smtp_port=port)
    monkeypatch.setattr("core.mail.get_settings", lambda: configured)
    yield box
    controller.stop()


@dataclass
class Receiver:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    # Status codes to answer with, in turn; 200 once they are used up.
    answers: list[int] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    port = free_port()
    state = Receiver(url=f"http://127.0.0.1:{port}/hooks/lotse")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append({"headers": dict(self.headers), "body": body})
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    thread.join(timeout=5)


def sent(ex: Exchange) -> Any:
    referral_id = new_referral(ex)
    run(transitions.transition(referral_id, "sent", ex.sender))
    return referral_id


def test_acceptance_reaches_the_case_manager_in_app_and_by_mail(exchange, smtp):
    referral_id = sent(exchange)
    drain_sync()
    to_provider = smtp.to(exchange.provider.email)
    assert len(to_provider) == 1
    assert "Neue Vermittlung für Deutschkurs B1" in str(to_provider[0]["Subject"])

    run(transitions.transition(referral_id, "accepted", exchange.receiver,
                               appointment_text="Mo 10 Uhr"))
    drain_sync()
    mails = smtp.to(exchange.case_manager.email)
    assert len(mails) == 1
    text = mails[0].get_body(preferencelist=("plain",)).get_content()
    assert "Deutschkurs B1 hat Ihre Vermittlung angenommen" in text
    assert "Termin: Mo 10 Uhr" in text
    assert f"/referrals/{referral_id}" in text
    # No personal data of the client ever goes out by e-mail.
    assert not any(secret in mails[0].as_string() for secret in SECRETS)
    rows = run(Notification.select().where(Notification.user == exchange.case_manager.id))
    assert [r["kind"] for r in rows] == ["referral_accepted"]


def test_redelivered_events_create_no_duplicates(exchange, smtp):
    sent(exchange)
    drain_sync()
    # Make every event due again, as after a crash between delivery and bookkeeping.
    run(OutboxEvent.update({OutboxEvent.delivered_at: None}).where(OutboxEvent.id > 0))
    drain_sync()
    assert len(smtp.to(exchange.provider.email)) == 1
    assert run(Notification.count()) == 1
    assert run(MailDelivery.count()) == 1


def test_english_speaking_staff_get_english_mail(exchange, smtp):
    from accounts.tables import User

    run(User.update({User.locale: "en"}).where(User.id == exchange.provider.id))
    sent(exchange)
    drain_sync()
    mail = smtp.to(exchange.provider.email)[0]
    assert "New referral for Deutschkurs B1" in str(mail["Subject"])
    assert "Open the referral in Lotse" in mail.get_body(preferencelist=("plain",)).get_content()


def test_webhook_is_signed_and_retried_until_delivered(exchange, receiver, loopback_allowed):
    endpoint = run(webhooks.create_endpoint(
        webhooks.EndpointIn(organization_id=exchange.provider_org, url=receiver.url),
        exchange.receiver,
    ))
    assert endpoint.secret
    receiver.answers = [500]
    sent(exchange)
    drain_sync()
    assert len(receiver.requests) == 1
    pending = run(WebhookDelivery.select().where(WebhookDelivery.status == "pending"))
    assert len(pending) == 1 and pending[0]["last_status_code"] == 500
    # Back-off: nothing is retried before the event is due again.
    drain_sync()
    assert len(receiver.requests) == 1
    run(OutboxEvent.update({OutboxEvent.available_at: datetime.now(UTC)}).where(
        OutboxEvent.consumer == "referral-webhooks"))
    drain_sync()
    assert len(receiver.requests) == 2
    first, second = receiver.requests
    assert first["headers"][DELIVERY_HEADER] == second["headers"][DELIVERY_HEADER]
    headers, body = second["headers"], second["body"]
    assert headers[EVENT_HEADER] == "referral.sent"
    assert verify(endpoint.secret, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], body)
    document = json.loads(body)
    assert document["type"] == "referral.sent"
    assert document["data"]["state"] == "sent"
    assert not any(secret in body.decode() for secret in SECRETS)
    # Delivered once: a further pass sends nothing.
    run(OutboxEvent.update({OutboxEvent.delivered_at: None}).where(
        OutboxEvent.consumer == "referral-webhooks"))
    drain_sync()
    assert len(receiver.requests) == 2


def test_webhook_endpoints_are_managed_per_organisation(
    exchange, api_client, receiver, loopback_allowed
):
    provider = api_client(exchange.provider)
    sender = api_client(exchange.case_manager)
    created = provider.post("/api/webhooks", json={
        "organization_id": str(exchange.provider_org), "url": receiver.url})
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    listed = provider.get("/api/webhooks").json()
    assert [e["url"] for e in listed] == [receiver.url] and listed[0]["secret"] is None
    foreign = sender.post("/api/webhooks", json={
        "organization_id": str(exchange.provider_org), "url": receiver.url})
    assert foreign.status_code == 404
    assert sender.get("/api/webhooks").json() == []
    bad = provider.post("/api/webhooks", json={
        "organization_id": str(exchange.provider_org), "url": "ftp://example.org"})
    assert bad.status_code == 400
    assert sender.delete(f"/api/webhooks/{listed[0]['id']}").status_code == 404
    assert provider.delete(f"/api/webhooks/{listed[0]['id']}").status_code == 204


def _slot(ex: Exchange) -> Any:
    from datetime import timedelta

    from calendars import slots

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    return run(slots.create_slots(ex.service_id, [(start, start + timedelta(minutes=30))]))[0]


def _calendar_parts(message: EmailMessage) -> list[Any]:
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]


def test_acceptance_with_a_slot_sends_a_calendar_invitation_and_cancel(exchange, smtp):
    from calendars import consumers as calendar_consumers  # noqa: F401  (invitation mails)

    slot = _slot(exchange)
    referral_id = sent(exchange)
    run(transitions.transition(referral_id, "accepted", exchange.receiver,
                               appointment_slot_id=slot.id))
    drain_sync()
    mails = smtp.to(exchange.case_manager.email)
    invitations = [m for m in mails if _calendar_parts(m)]
    assert len(invitations) == 1
    part = _calendar_parts(invitations[0])[0]
    assert part.get_param("method") == "REQUEST"
    assert "METHOD:REQUEST" in part.get_content()
    acceptance = [m for m in mails if "angenommen" in str(m["Subject"])]
    assert len(acceptance) == 1
    assert "Einladung für Ihren Kalender" in acceptance[0].get_body(
        preferencelist=("plain",)).get_content()

    run(transitions.transition(referral_id, "cancelled", exchange.sender,
                               reason="referred_elsewhere"))
    drain_sync()
    cancels = [m for m in smtp.to(exchange.case_manager.email)
               if any("METHOD:CANCEL" in p.get_content() for p in _calendar_parts(m))]
    assert len(cancels) == 1


def test_a_taken_slot_refuses_the_acceptance_and_changes_nothing(exchange):
    slot = _slot(exchange)
    first, second = sent(exchange), sent(exchange)
    run(transitions.transition(first, "accepted", exchange.receiver, appointment_slot_id=slot.id))
    from litestar.exceptions import HTTPException

    from referrals.tests.exchange_support import available

    with pytest.raises(HTTPException) as caught:
        run(transitions.transition(second, "accepted", exchange.receiver,
                                   appointment_slot_id=slot.id))
    assert caught.value.status_code == 409
    assert caught.value.extra == {"code": "slot_unavailable"}
    # The place taken before the slot failed was given back with the rollback.
    assert available(exchange.service_id) == 2
