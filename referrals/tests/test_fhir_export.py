"""The referral as an SDOHCC Bundle: valid R4 resources, profiles, and a Patient that shows
only what the reader may see at each stage."""

from __future__ import annotations

from typing import Any

from accounts.tables import AuditEntry
from clients.api import withdraw_consent
from conftest import run
from outbox.dispatcher import drain
from referrals.fhir import PROFILE_CONSENT, PROFILE_SERVICE_REQUEST, PROFILE_TASK
from referrals.tests.exchange_support import SECRETS, build_exchange
from referrals.tests.fhir_support import resources, sent_referral, valid


def _bundle(client: Any, referral_id: str) -> dict[str, Any]:
    response = client.get(f"/api/referrals/{referral_id}/fhir")
    assert response.status_code == 200, response.text
    return valid(response.json())


def test_bundle_holds_service_request_task_consent_and_patient(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    bundle = _bundle(api_client(exchange.provider), referral_id)
    assert bundle["type"] == "collection"
    found = resources(bundle)
    assert set(found) == {"ServiceRequest", "Task", "Consent", "Patient"}
    request, task, consent = found["ServiceRequest"], found["Task"], found["Consent"]
    assert request["meta"]["profile"] == [PROFILE_SERVICE_REQUEST]
    assert task["meta"]["profile"] == [PROFILE_TASK]
    assert consent["meta"]["profile"] == [PROFILE_CONSENT]
    assert task["focus"] == {"reference": f"ServiceRequest/{referral_id}"}
    assert task["status"] == "requested" and task["intent"] == "order"
    assert request["category"][0]["coding"][0]["code"] == "educational-attainment"
    assert request["requester"]["reference"] == f"Organization/{exchange.sender_org}"
    assert request["performer"][0]["reference"] == f"Organization/{exchange.provider_org}"
    assert request["supportingInfo"] == [{"reference": f"Consent/{consent['id']}"}]
    # Neither the client's nor the consent's own id reaches the provider: no linking.
    assert str(exchange.consent_id) not in str(bundle)
    assert request["code"]["text"] == "Deutschkurs B1 am Vormittag"
    assert request["occurrenceTiming"]["code"]["text"] == "vormittags"
    assert consent["status"] == "active"
    assert consent["provision"]["actor"][0]["reference"]["reference"] == (
        f"Organization/{exchange.provider_org}")
    # Every reference to the person inside the Bundle names the same Patient.
    patient_ref = f"Patient/{found['Patient']['id']}"
    assert request["subject"]["reference"] == patient_ref
    assert task["for"]["reference"] == patient_ref
    assert consent["patient"]["reference"] == patient_ref


def test_bundle_is_fhir_json_when_asked(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    sender = api_client(exchange.case_manager)
    asked = sender.get(f"/api/referrals/{referral_id}/fhir",
                       headers={"Accept": "application/fhir+json"})
    assert asked.headers["content-type"].startswith("application/fhir+json")
    plain = sender.get(f"/api/referrals/{referral_id}/fhir")
    assert plain.headers["content-type"].startswith("application/json")


def test_patient_before_acceptance_is_only_a_pseudonymous_id(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    response = api_client(exchange.provider).get(f"/api/referrals/{referral_id}/fhir")
    patient = resources(valid(response.json()))["Patient"]
    assert set(patient) == {"resourceType", "id"}
    # Not the client's id in Lotse: two referrals of one person cannot be linked.
    assert patient["id"] != str(exchange.client_id)
    assert not any(secret in response.text for secret in (*SECRETS, "K-0001"))
    assert str(exchange.client_id) not in response.text


def test_patient_after_acceptance_shows_what_consent_covers(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    receiver = api_client(exchange.provider)
    receiver.post(f"/api/referrals/{referral_id}/transitions", json={"to": "accepted"})
    patient = resources(_bundle(receiver, referral_id))["Patient"]
    assert patient["name"] == [{"use": "official", "family": "Yilmaz", "given": ["Aylin"]}]
    assert {"system": "phone", "value": "+49 208 123456"} in patient["telecom"]
    # The referral shares identity and contact only: no birth date.
    assert "birthDate" not in patient
    # The look at the personal data is in the audit log, with the provider as actor.
    reads = run(AuditEntry.select(AuditEntry.action).where(
        AuditEntry.actor_user == exchange.provider.id))
    assert {"client.read", "referral.read"} <= {r["action"] for r in reads}


def test_patient_after_consent_withdrawal_is_only_an_id_again(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    receiver = api_client(exchange.provider)
    receiver.post(f"/api/referrals/{referral_id}/transitions", json={"to": "accepted"})
    run(withdraw_consent(exchange.client_id, exchange.consent_id, exchange.sender, "127.0.0.1"))
    for _ in range(2):  # at once, and after the cancellation went through the outbox
        response = receiver.get(f"/api/referrals/{referral_id}/fhir")
        found = resources(valid(response.json()))
        assert set(found["Patient"]) == {"resourceType", "id"}
        assert found["Consent"]["status"] == "inactive"
        assert "code" not in found["ServiceRequest"] or "text" not in found[
            "ServiceRequest"]["code"]
        assert not any(s in response.text for s in (*SECRETS, "Styrum", "Kita"))
        run(drain())
    assert found["Task"]["status"] == "cancelled"


def test_completed_task_has_an_output(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    receiver = api_client(exchange.provider)
    for target in ("accepted", "completed"):
        receiver.post(f"/api/referrals/{referral_id}/transitions", json={"to": target})
    found = resources(_bundle(receiver, referral_id))
    assert found["Task"]["status"] == "completed"
    output = found["Task"]["output"][0]
    assert output["type"]["coding"][0]["code"] == "resulting-activity"
    assert found["ServiceRequest"]["status"] == "completed"


def test_sender_sees_own_client_and_draft_has_no_consent(exchange, api_client):
    sender = api_client(exchange.case_manager)
    from referrals.tests.test_api import draft_body

    draft = sender.post("/api/referrals", json=draft_body(exchange)).json()
    found = resources(_bundle(sender, draft["id"]))
    assert "Consent" not in found
    assert found["ServiceRequest"]["status"] == "draft"
    assert found["Patient"]["id"] == str(exchange.client_id)
    assert found["Patient"]["identifier"][0]["value"] == "K-0001"


def test_sender_sees_the_consent_by_its_own_id(exchange, api_client):
    referral_id = sent_referral(exchange, api_client)
    found = resources(_bundle(api_client(exchange.case_manager), referral_id))
    assert found["Consent"]["id"] == str(exchange.consent_id)
    assert found["ServiceRequest"]["supportingInfo"] == [
        {"reference": f"Consent/{exchange.consent_id}"}]


def test_consent_names_the_language_and_version_of_the_text_the_client_read(
    make_org: Any, make_user: Any, make_service: Any, api_client: Any
) -> None:
    from clients.api import consent_text_of

    exchange = build_exchange(make_org, make_user, make_service, text_language="ar")
    referral_id = sent_referral(exchange, api_client)
    consent = resources(_bundle(api_client(exchange.provider), referral_id))["Consent"]
    language, version = run(consent_text_of(exchange.consent_id)) or ("", "")
    assert (language, bool(version)) == ("ar", True)
    assert consent["sourceAttachment"]["language"] == "ar"
    assert consent["sourceAttachment"]["title"].endswith(f"text ar, version {version}")
