"""Consent as the person referred relies on it: withdrawn means the provider sees nothing more."""

from __future__ import annotations

from tests.journeys import Network, answer, new_client_with_consent, ok, send_referral


def test_withdrawal_ends_the_recipients_access_with_the_next_request(network: Network) -> None:
    client_id, consent_id = new_client_with_consent(network)
    referral_id = send_referral(network, client_id)
    ok(answer(network.receiver, referral_id, to="accepted", appointment="Do 14 Uhr"))
    seen = ok(network.receiver.get(f"/api/referrals/{referral_id}"))
    assert seen["personal_data"]["identity"]["family_name"] == "Yilmaz"

    ok(network.sender.post(f"/api/clients/{client_id}/consents/{consent_id}/withdraw", json={}))

    after = network.receiver.get(f"/api/referrals/{referral_id}")
    assert after.status_code in (200, 404)
    assert "Yilmaz" not in after.text and "123456" not in after.text
    assert after.status_code == 404 or after.json()["personal_data"] is None
    # The sender keeps what it recorded itself.
    own = ok(network.sender.get(f"/api/clients/{client_id}/personal-data",
                                params={"categories": ["identity"]}))
    assert own["categories"]["identity"]["family_name"] == "Yilmaz"


def test_a_consent_for_another_organisation_does_not_open_the_data(
    network: Network, make_org: object
) -> None:
    other = make_org("Diakonie Mülheim")  # type: ignore[operator]
    client_id, _consent = new_client_with_consent(network, recipient_org=other)
    refused = network.sender.post("/api/referrals", json={
        "client_id": client_id, "service_id": str(network.service_id),
        "need_category": "language_course", "need_text": "Deutschkurs",
        "urgency": "normal", "shared_categories": ["identity"],
    })
    if refused.status_code == 201:
        refused = network.sender.post(
            f"/api/referrals/{refused.json()['id']}/transitions", json={"to": "sent"}
        )
    assert 400 <= refused.status_code < 500
    assert "consent" in refused.json()["detail"].lower()
