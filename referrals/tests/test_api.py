"""The referral JSON API end to end: drafts, sending, inbox, staged disclosure, messages."""

from __future__ import annotations

from typing import Any

from accounts.tables import AuditEntry
from clients.api import withdraw_consent
from conftest import run
from outbox.dispatcher import drain
from referrals.tests.exchange_support import SECRETS, Exchange


def draft_body(ex: Exchange, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_id": str(ex.client_id),
        "service_id": str(ex.service_id),
        "need_category": "language_course",
        "need_text": "Deutschkurs B1 am Vormittag",
        "urgency": "high",
        "languages": ["tr"],
        "interpreter_needed": True,
        "accessibility_needs": "Aufzug nötig",
        "preferred_times": "vormittags",
        "notes": "Kinder in der Kita bis 13 Uhr",
        "shared_categories": ["identity", "contact"],
        "age_band": "27-44",
        "district": "Styrum",
    }
    body.update(changes)
    return body


def send_one(ex: Exchange, sender: Any, **changes: Any) -> str:
    created = sender.post("/api/referrals", json=draft_body(ex, **changes))
    assert created.status_code == 201, created.text
    referral_id = created.json()["id"]
    moved = sender.post(f"/api/referrals/{referral_id}/transitions", json={"to": "sent"})
    assert moved.status_code == 200, moved.text
    return str(referral_id)


def test_referral_goes_from_draft_to_inbox_to_acceptance(exchange, api_client):
    sender, receiver = api_client(exchange.case_manager), api_client(exchange.provider)
    created = sender.post("/api/referrals", json=draft_body(exchange))
    assert created.status_code == 201
    draft = created.json()
    assert draft["state"] == "draft"
    assert draft["client_pseudonym"] == "K-0001"
    assert {t["to"] for t in draft["allowed_transitions"]} == {"sent", "cancelled"}
    # The provider knows nothing of a draft.
    assert receiver.get(f"/api/referrals/{draft['id']}").status_code == 404
    assert receiver.get("/api/inbox").json()["total"] == 0

    moved = sender.post(f"/api/referrals/{draft['id']}/transitions", json={"to": "sent"}).json()
    # The answer to a move is lean: the new state, version and the moves allowed next.
    assert set(moved) == {"id", "state", "fhir_status", "version", "allowed_transitions"}
    assert (moved["id"], moved["state"], moved["fhir_status"], moved["version"]) == (
        draft["id"], "sent", "requested", draft["version"] + 1)
    sent = sender.get(f"/api/referrals/{draft['id']}").json()
    assert sent["state"] == "sent" and sent["version"] == moved["version"]
    assert moved["allowed_transitions"] == sent["allowed_transitions"]
    inbox = receiver.get("/api/inbox").json()
    assert inbox["total"] == 1
    assert inbox["items"][0]["answer_due"] == sent["answer_due"]
    assert inbox["items"][0]["client_pseudonym"] is None

    before = receiver.get(f"/api/referrals/{draft['id']}").json()
    assert before["disclosure"] == "decide"
    assert before["need_text"] == "Deutschkurs B1 am Vormittag"
    assert before["district"] == "Styrum" and before["languages"] == ["tr"]
    assert before["notes"] is None and before["personal_data"] is None
    assert before["client_id"] is None
    assert not any(secret in str(before) for secret in SECRETS)
    # The course keeps an open waitlist: a place or the waitlist are both offered.
    offered = {t["to"] for t in before["allowed_transitions"]}
    assert offered == {"accepted", "waitlisted", "declined"}

    accepted = receiver.post(
        f"/api/referrals/{draft['id']}/transitions",
        json={"to": "accepted", "appointment": "Mo 10 Uhr, Raum 4", "note": "Willkommen"},
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "accepted"
    # The provider moves it on from here; cancelling is the sender's.
    assert {t["to"] for t in accepted.json()["allowed_transitions"]} == {
        "in_progress", "completed", "failed"}
    # The provider reads the referral, now with the personal data the consent covers.
    after = receiver.get(f"/api/referrals/{draft['id']}").json()
    assert after["disclosure"] == "full"
    assert after["personal_data"]["identity"] == {"given_name": "Aylin", "family_name": "Yilmaz"}
    assert after["personal_data"]["contact"]["phone"] == "+49 208 123456"
    assert after["notes"] == "Kinder in der Kita bis 13 Uhr"
    assert after["appointment_text"] == "Mo 10 Uhr, Raum 4"
    # The look at the personal data is in the audit log, with the provider as actor.
    reads = run(AuditEntry.select().where(
        (AuditEntry.action == "client.read") & (AuditEntry.actor_user == exchange.provider.id)))
    assert len(reads) == 1

    seen = sender.get(f"/api/referrals/{draft['id']}").json()
    assert seen["state"] == "accepted"
    assert [h["to_state"] for h in seen["history"]] == ["sent", "accepted"]
    assert seen["history"][-1]["side"] == "receiver"


def test_transition_errors_say_what_to_do(exchange, api_client):
    sender, receiver = api_client(exchange.case_manager), api_client(exchange.provider)
    referral_id = send_one(exchange, sender)
    no_reason = receiver.post(f"/api/referrals/{referral_id}/transitions",
                              json={"to": "declined"})
    assert no_reason.status_code == 400
    assert "reason code" in no_reason.json()["detail"]
    wrong_side = sender.post(f"/api/referrals/{referral_id}/transitions",
                             json={"to": "accepted"})
    assert wrong_side.status_code == 403
    typo = receiver.post(f"/api/referrals/{referral_id}/transitions", json={"to": "acepted"})
    assert typo.status_code == 400 and "accepted" in typo.json()["detail"]
    extra_field = receiver.post(f"/api/referrals/{referral_id}/transitions",
                                json={"to": "accepted", "colour": "red"})
    assert extra_field.status_code == 400
    receiver.post(f"/api/referrals/{referral_id}/transitions",
                  json={"to": "declined", "reason": "out_of_area"})
    again = receiver.post(f"/api/referrals/{referral_id}/transitions", json={"to": "accepted"})
    assert again.status_code == 409
    assert again.json()["extra"]["code"] == "terminal"


def test_full_offer_answers_conflict_with_code(exchange, api_client):
    sender, receiver = api_client(exchange.case_manager), api_client(exchange.provider)
    ids = [send_one(exchange, sender) for _ in range(4)]
    answers = [
        receiver.post(f"/api/referrals/{i}/transitions", json={"to": "accepted"}) for i in ids
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 409]
    assert answers[-1].json()["extra"]["code"] == "no_capacity"
    waitlisted = receiver.post(f"/api/referrals/{ids[-1]}/transitions",
                               json={"to": "waitlisted", "expected_wait": "2_to_6_weeks"})
    assert waitlisted.status_code == 200
    view = sender.get(f"/api/referrals/{ids[-1]}").json()
    assert view["waitlist"] == {
        "position": 1, "length": 1, "expected_wait": "2_to_6_weeks", "place_offered_until": None
    }


def test_lists_filter_and_reject_unknown_values(exchange, api_client):
    sender, receiver = api_client(exchange.case_manager), api_client(exchange.provider)
    first = send_one(exchange, sender)
    send_one(exchange, sender, urgency="urgent")
    receiver.post(f"/api/referrals/{first}/transitions", json={"to": "accepted"})
    assert sender.get("/api/referrals").json()["total"] == 2
    accepted = sender.get("/api/referrals", params={"state": "accepted"}).json()
    assert [r["id"] for r in accepted["items"]] == [first]
    urgent = receiver.get("/api/inbox", params={"urgency": "urgent"}).json()
    assert urgent["total"] == 1
    assert sender.get("/api/referrals", params={"state": "approved"}).status_code == 400
    assert sender.get("/api/referrals", params={"per_page": 0}).status_code == 400


def test_created_draft_answers_as_its_first_read_and_is_audited(exchange, api_client):
    sender = api_client(exchange.case_manager)
    created = sender.post("/api/referrals", json=draft_body(exchange, languages=["tr", "ar", "tr"]))
    assert created.status_code == 201, created.text
    answered = created.json()
    read = sender.get(f"/api/referrals/{answered['id']}").json()
    # The answer is made from the draft in hand; it must say what reading it back says.
    assert answered == read
    entries = run(AuditEntry.select(AuditEntry.actor_user, AuditEntry.detail).where(
        (AuditEntry.action == "referral.read") & (AuditEntry.subject_id == answered["id"])))
    assert len(entries) == 2 and {e["actor_user"] for e in entries} == {exchange.case_manager.id}


def test_refused_draft_writes_neither_referral_nor_audit_entry(exchange, api_client):
    sender = api_client(exchange.case_manager)
    before = run(AuditEntry.count())
    refused = sender.post("/api/referrals", json=draft_body(exchange, need_category="magic"))
    assert refused.status_code == 400 and "kind of need" in refused.text
    assert run(AuditEntry.count()) == before
    assert sender.get("/api/referrals").json()["total"] == 0


def test_draft_can_be_edited_until_sent(exchange, api_client):
    sender = api_client(exchange.case_manager)
    draft = sender.post("/api/referrals", json=draft_body(exchange)).json()
    edited = sender.patch(f"/api/referrals/{draft['id']}", json={"urgency": "urgent"})
    assert edited.status_code == 200 and edited.json()["urgency"] == "urgent"
    bad = sender.patch(f"/api/referrals/{draft['id']}", json={"shared_categories": ["secrets"]})
    assert bad.status_code == 400
    sender.post(f"/api/referrals/{draft['id']}/transitions", json={"to": "sent"})
    late = sender.patch(f"/api/referrals/{draft['id']}", json={"urgency": "normal"})
    assert late.status_code == 409


def test_message_thread_between_the_two_sides(exchange, api_client):
    sender, receiver = api_client(exchange.case_manager), api_client(exchange.provider)
    referral_id = send_one(exchange, sender)
    asked = receiver.post(f"/api/referrals/{referral_id}/messages",
                          json={"body": "Hat die Person schon A2?"})
    assert asked.status_code == 201
    sender.post(f"/api/referrals/{referral_id}/messages", json={"body": "Ja, seit März."})
    thread = sender.get(f"/api/referrals/{referral_id}/messages").json()
    assert [(m["side"], m["own"]) for m in thread] == [("receiver", False), ("sender", True)]
    assert receiver.post(f"/api/referrals/{referral_id}/messages",
                         json={"body": ""}).status_code == 400


def test_withdrawn_consent_leaves_the_recipient_without_personal_data(exchange, api_client):
    sender, receiver = api_client(exchange.case_manager), api_client(exchange.provider)
    referral_id = send_one(exchange, sender)
    receiver.post(f"/api/referrals/{referral_id}/transitions", json={"to": "accepted"})
    receiver.post(f"/api/referrals/{referral_id}/messages", json={"body": "Termin passt?"})
    full = receiver.get(f"/api/referrals/{referral_id}")
    assert "Aylin" in full.text

    run(withdraw_consent(exchange.client_id, exchange.consent_id, exchange.sender, "127.0.0.1"))

    # Access ends at once; the cancellation follows through the outbox.
    at_once = receiver.get(f"/api/referrals/{referral_id}").json()
    assert at_once["disclosure"] == "none" and at_once["personal_data"] is None
    run(drain())
    after = receiver.get(f"/api/referrals/{referral_id}")
    assert after.status_code == 200
    body = after.json()
    assert body["state"] == "cancelled"
    assert body["disclosure"] == "none"
    assert body["personal_data"] is None
    for field in ("need_text", "languages", "district", "age_band", "notes", "accessibility_needs"):
        assert body[field] is None, field
    assert not any(secret in after.text for secret in SECRETS)
    assert "Styrum" not in after.text and "Kita" not in after.text
    assert receiver.get(f"/api/referrals/{referral_id}/messages").status_code == 403
    # The sender still sees its own record.
    assert sender.get(f"/api/referrals/{referral_id}").json()["district"] == "Styrum"


def test_fhir_task_export(exchange, api_client):
    sender, receiver = api_client(exchange.case_manager), api_client(exchange.provider)
    referral_id = send_one(exchange, sender)
    receiver.post(f"/api/referrals/{referral_id}/transitions",
                  json={"to": "waitlisted"})
    bundle = sender.get(f"/api/referrals/{referral_id}/fhir").json()
    task = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Task")
    assert task["status"] == "accepted"
    assert task["businessStatus"]["coding"][0]["code"] == "waitlisted"
    assert task["owner"]["reference"] == f"Organization/{exchange.provider_org}"
    assert "Aylin" not in str(task)


def test_waitlisting_is_refused_while_the_offers_waitlist_is_closed(exchange, api_client):
    from directory.tables import Capacity

    sender, receiver = api_client(exchange.case_manager), api_client(exchange.provider)
    first, second = send_one(exchange, sender), send_one(exchange, sender)
    assert receiver.post(f"/api/referrals/{first}/transitions",
                         json={"to": "waitlisted"}).status_code == 200
    run(Capacity.update({Capacity.waitlist_open: False})
        .where(Capacity.service == exchange.service_id))
    refused = receiver.post(f"/api/referrals/{second}/transitions", json={"to": "waitlisted"})
    assert refused.status_code == 409
    assert refused.json()["extra"]["code"] == "waitlist_closed"
    assert sender.get(f"/api/referrals/{second}").json()["state"] == "sent"
    # Closing the list takes no one off it: the first keeps its place in the queue.
    assert sender.get(f"/api/referrals/{first}").json()["waitlist"]["position"] == 1
