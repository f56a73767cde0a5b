"""Every client endpoint, tried as every role of a foreign organisation and anonymously.

Nothing may leak: not the data, not even whether the client exists. A foreign caller gets the
same status and body for the real client as for an id that does not exist, and nothing changes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import TestClient

from accounts.tables import AuditEntry
from app import create_app
from clients.tables import Client, Consent
from conftest import run
from core.time import berlin_today as local_today

SECRETS = ("Aylin", "Yilmaz", "1990-05-17", "208 123456", "aylin@example.org", "Styrum")
FOREIGN_ROLES = ("network_admin", "case_manager", "provider_staff", "viewer")


def consent_body(recipient: Any) -> dict[str, Any]:
    return {
        "recipient_org_ids": [str(recipient)],
        "purpose": "referral",
        "data_categories": ["identity", "contact"],
        "valid_from": local_today().isoformat(),
        "valid_until": (local_today() + timedelta(days=90)).isoformat(),
        "evidence": "written",
    }


def endpoints(client_id: Any, consent_id: Any, pseudonym: str, recipient: Any) -> list[Any]:
    base = f"/api/clients/{client_id}"
    return [
        ("GET", base, None),
        ("PATCH", base, {"family_name": "Changed"}),
        ("GET", f"{base}/personal-data", None),
        ("GET", f"{base}/personal-data?categories=identity", None),
        ("GET", f"{base}/export", None),
        ("POST", f"{base}/erase", {"confirm_pseudonym": pseudonym}),
        ("GET", f"{base}/consents", None),
        ("POST", f"{base}/consents", consent_body(recipient)),
        ("GET", f"{base}/consents/{consent_id}", None),
        ("POST", f"{base}/consents/{consent_id}/withdraw", {}),
    ]


@pytest.fixture
def scene(make_user: Any, make_org: Any, api_client: Any) -> dict[str, Any]:
    home = make_org("Caritas Mülheim")
    provider = make_org("VHS Mülheim")
    foreign = make_org("AWO Mülheim")
    owner = api_client(make_user("case_manager", home))
    created = owner.post(
        "/api/clients",
        json={
            "given_name": "Aylin",
            "family_name": "Yilmaz",
            "birth_date": "1990-05-17",
            "phone": "+49 208 123456",
            "email": "aylin@example.org",
            "district": "Styrum",
        },
    )
    assert created.status_code == 201, created.text
    client = created.json()
    consent = owner.post(f"/api/clients/{client['id']}/consents", json=consent_body(provider))
    assert consent.status_code == 201, consent.text
    return {
        "owner": owner,
        "client": client,
        "consent": consent.json(),
        "provider": provider,
        "foreigners": {role: api_client(make_user(role, foreign)) for role in FOREIGN_ROLES},
        "foreign_org": foreign,
    }


def _call(http: Any, method: str, url: str, body: Any) -> Any:
    return http.request(method, url, json=body) if body is not None else http.request(method, url)


def _assert_nothing_leaks(response: Any, scene: dict[str, Any]) -> None:
    text = response.text
    for secret in (*SECRETS, scene["client"]["pseudonym"], scene["consent"]["id"]):
        assert secret not in text, f"{secret!r} leaked in {response.status_code}: {text[:200]}"


def _assert_unchanged(scene: dict[str, Any]) -> None:
    row = run(Client.select().where(Client.id == scene["client"]["id"]).first())
    assert row is not None and row["erased_at"] is None
    assert row["pseudonym"] == scene["client"]["pseudonym"]
    assert run(Consent.count().where(Consent.withdrawn_at.is_not_null())) == 0
    assert run(Consent.count()) == 1


@pytest.mark.parametrize("role", FOREIGN_ROLES)
def test_foreign_roles_learn_nothing_about_a_client(scene: dict[str, Any], role: str) -> None:
    http = scene["foreigners"][role]
    real = endpoints(
        scene["client"]["id"],
        scene["consent"]["id"],
        scene["client"]["pseudonym"],
        scene["provider"],
    )
    fake = endpoints(uuid4(), uuid4(), scene["client"]["pseudonym"], scene["provider"])
    expected = 404 if role == "case_manager" else 403
    for (method, url, body), (_m, fake_url, _b) in zip(real, fake, strict=True):
        response = _call(http, method, url, body)
        assert response.status_code == expected, (role, method, url, response.text)
        _assert_nothing_leaks(response, scene)
        twin = _call(http, method, fake_url, body)
        assert (twin.status_code, twin.json()) == (response.status_code, response.json()), url
    listing = http.get("/api/clients")
    if role == "case_manager":
        assert listing.status_code == 200 and listing.json()["items"] == []
    else:
        assert listing.status_code == 403
    _assert_nothing_leaks(listing, scene)
    _assert_unchanged(scene)
    assert run(AuditEntry.count().where(AuditEntry.action == "client.read")) == 0


def test_foreign_case_manager_cannot_file_a_client_under_another_organisation(
    scene: dict[str, Any],
) -> None:
    owner_org = scene["client"]["organization_id"]
    response = scene["foreigners"]["case_manager"].post(
        "/api/clients", json={"given_name": "X", "organization_id": owner_org}
    )
    assert response.status_code == 403
    assert run(Client.count().where(Client.organization == owner_org)) == 1


def test_anonymous_callers_are_asked_to_log_in(scene: dict[str, Any]) -> None:
    with TestClient(app=create_app()) as anonymous:
        calls = endpoints(
            scene["client"]["id"],
            scene["consent"]["id"],
            scene["client"]["pseudonym"],
            scene["provider"],
        )
        for method, url, body in [
            *calls,
            ("GET", "/api/clients", None),
            ("POST", "/api/clients", {}),
        ]:
            response = _call(anonymous, method, url, body)
            assert response.status_code == 401, (method, url, response.status_code)
            _assert_nothing_leaks(response, scene)
    _assert_unchanged(scene)


def test_withdrawal_is_followed_by_a_recipient_read_that_shows_nothing(
    scene: dict[str, Any], make_user: Any, api_client: Any
) -> None:
    # A case manager at the recipient (purpose "referral" covers its staff) reads first.
    recipient = api_client(make_user("case_manager", scene["provider"]))
    url = f"/api/clients/{scene['client']['id']}/personal-data?categories=identity"
    before = recipient.get(url)
    assert before.status_code == 200 and "Aylin" in before.text

    withdrawn = scene["owner"].post(
        f"/api/clients/{scene['client']['id']}/consents/{scene['consent']['id']}/withdraw",
        json={"note": "Client asked by phone"},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["consent"]["active"] is False

    after = recipient.get(url)
    assert after.status_code == 404
    _assert_nothing_leaks(after, scene)
    assert "Aylin" not in recipient.get(f"/api/clients/{scene['client']['id']}").text


def test_withdrawal_ends_the_providers_view_of_an_accepted_referral(
    exchange: Any, api_client: Any
) -> None:
    from referrals.tests.exchange_support import SECRETS, new_referral
    from referrals.transitions import transition

    referral_id = new_referral(exchange)
    run(transition(referral_id, "sent", exchange.sender))
    run(transition(referral_id, "accepted", exchange.receiver))
    provider = api_client(exchange.provider)
    sender = api_client(exchange.case_manager)
    url = f"/api/referrals/{referral_id}"
    before = provider.get(url)
    assert before.status_code == 200 and "Aylin" in before.text

    withdrawn = sender.post(
        f"/api/clients/{exchange.client_id}/consents/{exchange.consent_id}/withdraw", json={}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["cancelled_referral_ids"] == [str(referral_id)]

    # Access ends at once; the cancellation and the notice follow through the outbox.
    from outbox.dispatcher import drain_sync

    at_once = provider.get(url)
    for secret in SECRETS:
        assert secret not in at_once.text
    drain_sync()
    after = provider.get(url)
    assert after.status_code in {200, 404}
    for secret in SECRETS:
        assert secret not in after.text
    if after.status_code == 200:
        assert after.json()["state"] == "cancelled"
    told = provider.get("/api/notifications")
    assert told.status_code == 200
    assert "consent_withdrawn" in told.text


def page_calls(client_id: Any, consent_id: Any, pseudonym: str, recipient: Any) -> list[Any]:
    base = f"/clients/{client_id}"
    consent = f"{base}/consents/{consent_id}"
    form = {"given_name": "Changed", "confirm_pseudonym": pseudonym}
    return [
        ("GET", base, None),
        ("GET", f"{base}/personal", None),
        ("GET", f"{base}/edit", None),
        ("POST", f"{base}/edit", form),
        ("GET", f"{base}/export", None),
        ("GET", f"{base}/export.json", None),
        ("GET", f"{base}/erase", None),
        ("POST", f"{base}/erase", form),
        ("GET", f"{base}/consents/new", None),
        ("POST", f"{base}/consents/new", {"recipient_org_ids": str(recipient)}),
        ("GET", f"{base}/consents/preview?variant_code=en", None),
        ("GET", consent, None),
        ("GET", f"{consent}/print?variant_code=de", None),
        ("POST", f"{consent}/withdraw", {"note": "x", "confirmed": "yes"}),
    ]


def _page(session: Any, method: str, url: str, form: Any) -> Any:
    return session.request(method, url, data=form, follow_redirects=False)


@pytest.mark.parametrize("role", FOREIGN_ROLES)
def test_foreign_roles_see_no_client_page(
    scene: dict[str, Any], role: str, make_user: Any, login: Any
) -> None:
    user = make_user(role, scene["foreign_org"])
    expected = 404 if role == "case_manager" else 403
    with TestClient(app=create_app()) as session:
        login(session, user)
        session.headers["Accept"] = "text/html"
        real = page_calls(
            scene["client"]["id"],
            scene["consent"]["id"],
            scene["client"]["pseudonym"],
            scene["provider"],
        )
        fake = page_calls(uuid4(), uuid4(), scene["client"]["pseudonym"], scene["provider"])
        for (method, url, form), (_m, fake_url, _f) in zip(real, fake, strict=True):
            response = _page(session, method, url, form)
            assert response.status_code == expected, (role, method, url, response.status_code)
            _assert_nothing_leaks(response, scene)
            twin = _page(session, method, fake_url, form)
            assert twin.status_code == response.status_code
            assert twin.text == response.text, url
        listing = session.get("/clients")
        assert listing.status_code == (200 if role == "case_manager" else 403)
        _assert_nothing_leaks(listing, scene)
    _assert_unchanged(scene)
    assert run(AuditEntry.count().where(AuditEntry.action == "client.read")) == 0


def test_anonymous_visitors_are_sent_to_log_in(scene: dict[str, Any]) -> None:
    with TestClient(app=create_app()) as anonymous:
        anonymous.headers["Accept"] = "text/html"
        calls = page_calls(
            scene["client"]["id"],
            scene["consent"]["id"],
            scene["client"]["pseudonym"],
            scene["provider"],
        )
        for method, url, form in [*calls, ("GET", "/clients", None)]:
            response = _page(anonymous, method, url, form)
            assert response.status_code == 303, (method, url, response.status_code)
            assert response.headers["location"].startswith("/login")
            _assert_nothing_leaks(response, scene)
    _assert_unchanged(scene)
