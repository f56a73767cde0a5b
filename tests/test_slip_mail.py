"""The slip by e-mail to the client, through a real SMTP server on loopback: the PDF and the
appointment attached, sent only where the consent covers contact data, and recorded in the
referral's history by language and size, not by its text."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from conftest import run
from outbox.dispatcher import drain_sync
from referrals.tables import SlipMail
from settings import get_settings
from tests.journeys import Network, answer, ok
from tests.slip_support import furnish_offer, send_referral_in
from tests.test_appointment_journeys import publish_slots

ADDRESS = "amal@example.org"


class MailBox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[MailBox]:
    box = MailBox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    configured = replace(get_settings(), smtp_host="127.0.0.1", smtp_port=port)
    monkeypatch.setattr("core.mail.get_settings", lambda: configured)
    yield box
    controller.stop()


def client_with(net: Network, categories: list[str]) -> str:
    client = ok(net.sender.post("/api/clients", json={
        "given_name": "Amal", "family_name": "Haddad", "email": ADDRESS, "languages": ["ar"],
    }), 201)
    today = date.today()
    ok(net.sender.post(f"/api/clients/{client['id']}/consents", json={
        "recipient_org_ids": [str(net.provider_org)], "purpose": "referral",
        "data_categories": categories, "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=90)).isoformat(), "evidence": "written",
        "text_language": "ar",
    }), 201)
    return str(client["id"])


def accepted(net: Network, categories: list[str]) -> str:
    furnish_offer(net)
    slot = publish_slots(net.receiver, net.service_id)[0]
    shared = tuple(c for c in ("identity", "contact") if c in categories)
    referral_id = send_referral_in(net, client_with(net, categories), ["ar"], shared)
    ok(answer(net.receiver, referral_id, to="accepted", appointment={"slot_id": slot["id"]}))
    return referral_id


def test_slip_is_mailed_with_pdf_and_appointment_and_noted_in_history(
    network: Network, smtp: MailBox
) -> None:
    referral_id = accepted(network, ["identity", "contact", "languages", "district"])
    sent = network.sender.post(f"/referrals/{referral_id}/slip/send",
                               data={"lang": "ar", "size": "a5"}, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    drain_sync()
    drain_sync()  # a retried event sends nothing twice

    mails = [m for m in smtp.messages if m["To"] == ADDRESS]
    assert len(mails) == 1
    mail = mails[0]
    assert "ورقة" in str(mail["Subject"])
    kinds = {part.get_content_type(): part for part in mail.iter_attachments()}
    assert set(kinds) == {"application/pdf", "text/calendar"}
    assert bytes(kinds["application/pdf"].get_content()).startswith(b"%PDF")
    assert "Deutschkurs am Vormittag" in str(kinds["text/calendar"].get_content())
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None and "Laufzettel" in body.get_content()

    rows = run(SlipMail.select(SlipMail.language, SlipMail.size, SlipMail.with_calendar))
    assert rows == [{"language": "ar", "size": "a5", "with_calendar": True}]
    page = network.sender.get(f"/referrals/{referral_id}")
    assert "العربية, A5" in page.text


def test_no_mail_where_the_consent_leaves_out_contact_data(
    network: Network, smtp: MailBox
) -> None:
    referral_id = accepted(network, ["identity", "languages", "district"])
    page = network.sender.get(f"/referrals/{referral_id}/slip")
    assert "cannot be sent by e-mail" in page.text or "nicht per E-Mail" in page.text
    refused = network.sender.post(f"/referrals/{referral_id}/slip/send", data={"lang": "ar"})
    assert refused.status_code == 400
    assert "Kontaktdaten" in refused.text or "contact data" in refused.text
    drain_sync()
    assert [m for m in smtp.messages if m["To"] == ADDRESS] == []
    assert run(SlipMail.count()) == 0
