"""The slip page: only for the sender of an answered referral, and only with what the client's
consent lets the provider see (the name once accepted), never the need or the notes."""

from __future__ import annotations

from conftest import run
from directory.tables import Capacity
from tests.journeys import Network, answer, new_client_with_consent, ok
from tests.slip_support import accepted_with_appointment, furnish_offer


def send(net: Network, client_id: str, shared: list[str]) -> str:
    draft = ok(net.sender.post("/api/referrals", json={
        "client_id": client_id, "service_id": str(net.service_id),
        "need_category": "language_course", "need_text": "Geheime Notiz zum Bedarf",
        "urgency": "normal", "languages": ["ar"], "shared_categories": shared,
    }), 201)
    ok(net.sender.post(f"/api/referrals/{draft['id']}/transitions", json={"to": "sent"}))
    return str(draft["id"])


def test_slip_names_the_client_where_identity_is_shared(network: Network) -> None:
    scene = accepted_with_appointment(network, ["ar"])
    page = network.sender.get(f"/referrals/{scene.referral_id}/slip")
    assert page.status_code == 200, page.text
    assert "Aylin Yilmaz" in page.text
    assert 'lang="ar" dir="rtl"' in page.text
    assert "Geheime Notiz" not in page.text and "+49 208 123456" not in page.text


def test_slip_leaves_out_the_name_when_only_contact_is_shared(network: Network) -> None:
    furnish_offer(network)
    client_id, _consent = new_client_with_consent(network)
    referral_id = send(network, client_id, ["contact"])
    ok(answer(network.receiver, referral_id, to="accepted"))
    page = network.sender.get(f"/referrals/{referral_id}/slip", params={"lang": "de"})
    assert page.status_code == 200, page.text
    assert "Laufzettel" in page.text and "Bergstraße 1" in page.text
    assert "Aylin" not in page.text and "Yilmaz" not in page.text


def test_waitlisted_slip_shows_the_place_in_the_queue(network: Network) -> None:
    run(Capacity.update({Capacity.waitlist_open: True, Capacity.available: 0}).where(
        Capacity.service == network.service_id))
    client_id, _consent = new_client_with_consent(network)
    referral_id = send(network, client_id, ["identity"])
    ok(answer(network.receiver, referral_id, to="waitlisted", expected_wait="2_to_6_weeks"))
    page = network.sender.get(f"/referrals/{referral_id}/slip", params={"lang": "en"})
    assert page.status_code == 200, page.text
    assert "You are on the waiting list" in page.text
    assert "Place <strong>1</strong> of <strong>1</strong>" in page.text
    assert "2 to 6 weeks" in page.text and "2 bis 6 Wochen" in page.text
    # Not accepted yet: the provider does not see the name, so neither does the slip.
    assert "Aylin" not in page.text


def test_slip_before_an_answer_is_refused_with_a_reason(network: Network) -> None:
    client_id, _consent = new_client_with_consent(network)
    referral_id = send(network, client_id, ["identity"])
    page = network.sender.get(f"/referrals/{referral_id}/slip")
    assert page.status_code == 400
    assert "angenommen" in page.text or "accepted" in page.text


def test_the_provider_gets_no_slip(network: Network) -> None:
    scene = accepted_with_appointment(network, ["ar"])
    for path in ("slip", "slip/pdf"):
        response = network.receiver.get(f"/referrals/{scene.referral_id}/{path}")
        assert response.status_code in {403, 404}
        assert "Bergstraße" not in response.text


def test_unknown_paper_size_is_refused(network: Network) -> None:
    scene = accepted_with_appointment(network, [])
    response = network.sender.get(f"/referrals/{scene.referral_id}/slip", params={"size": "a3"})
    assert response.status_code == 400


def test_referral_page_offers_the_slip(network: Network) -> None:
    scene = accepted_with_appointment(network, ["ar"])
    page = network.sender.get(f"/referrals/{scene.referral_id}")
    assert f'href="/referrals/{scene.referral_id}/slip"' in page.text


def test_the_provider_sees_which_consent_text_the_client_agreed_to(network: Network) -> None:
    from datetime import date, timedelta

    from clients.consent_catalog import consent_text

    client = ok(network.sender.post("/api/clients", json={"given_name": "Aylin"}), 201)
    today = date.today()
    consent = ok(network.sender.post(f"/api/clients/{client['id']}/consents", json={
        "recipient_org_ids": [str(network.provider_org)], "purpose": "referral",
        "data_categories": ["identity", "languages"], "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=30)).isoformat(), "evidence": "written",
        "text_language": "ar",
    }), 201)
    assert consent["text_language"] == "ar"
    assert consent["text_version"] == consent_text("ar").version
    referral_id = send(network, client["id"], ["identity"])
    page = network.receiver.get(f"/inbox/{referral_id}")
    assert page.status_code == 200, page.text
    assert "العربية" in page.text and consent_text("ar").version in page.text
