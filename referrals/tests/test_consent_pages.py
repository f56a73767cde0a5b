"""Consent pages: recording with the form, the printable text in three languages, withdrawal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from app import create_app
from clients.tables import Consent
from conftest import run
from core.time import berlin_today as local_today
from outbox.dispatcher import drain
from referrals.tables import Referral
from referrals.tests.clients_support import actor, new_client, new_referral


@pytest.fixture
def scene(make_user: Any, make_org: Any, make_service: Any, login: Any) -> Any:
    home = make_org("Caritas Mülheim")
    provider = make_org("VHS Mülheim")
    user = make_user("case_manager", home)
    client = run(new_client(actor(user), pseudonym="K-0042"))
    with TestClient(app=create_app()) as session:
        login(session, user)
        yield {
            "session": session,
            "client": client,
            "provider": provider,
            "service": make_service(provider, "Deutschkurs B1"),
            "url": f"/clients/{client.id}/consents",
        }


def consent_form(provider: Any, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "recipient_org_ids": [str(provider)],
        "purpose": "referral",
        "data_categories": ["identity", "contact", "health"],
        "special_categories": "on",
        "valid_from": local_today().isoformat(),
        "valid_until": (local_today() + timedelta(days=90)).isoformat(),
        "evidence": "verbal_witnessed",
        "evidence_note": "Zeugin: Frau Schmidt",
    }
    body.update(changes)
    return body


def test_consent_is_recorded_from_the_form(scene: Any) -> None:
    session = scene["session"]
    form = session.get(scene["url"] + f"/new?recipient={scene['provider']}")
    assert form.status_code == 200
    assert f'value="{scene["provider"]}" checked' in form.text
    choices = form.text.split('id="recipient_org_ids"')[1].split("</fieldset>")[0]
    assert "Caritas Mülheim" not in choices
    saved = session.post(
        scene["url"] + "/new", data=consent_form(scene["provider"]), follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    page = session.get(saved.headers["location"])
    assert "Die Einwilligung wurde erfasst." in page.text
    assert "VHS Mülheim" in page.text and "Gesundheit (besondere Kategorie)" in page.text
    assert "Mündlich, mit Zeugin oder Zeuge" in page.text and "Frau Schmidt" in page.text
    stored = run(Consent.objects().first())
    assert stored is not None and stored.special_categories


def test_health_without_the_explicit_box_is_refused_in_german(scene: Any) -> None:
    response = scene["session"].post(
        scene["url"] + "/new",
        data=consent_form(scene["provider"], special_categories=""),
    )
    assert response.status_code == 400
    assert "Gesundheitsdaten sind eine besondere Kategorie" in response.text
    assert 'href="#special_categories"' in response.text
    assert run(Consent.count()) == 0


def test_verbal_consent_without_witness_is_refused(scene: Any) -> None:
    response = scene["session"].post(
        scene["url"] + "/new",
        data=consent_form(scene["provider"], evidence_note="", valid_until="2020-01-01"),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "A verbal consent needs the name of its witness" in response.text
    assert "The consent must end on or after the day it starts." in response.text


@pytest.mark.parametrize(
    ("variant", "lang", "phrases"),
    [
        (
            "de",
            "de",
            [
                "Einwilligung in die Weitergabe",
                "Ausdrückliche Einwilligung",
                "Art. 7 Abs. 3 DSGVO",
                "VHS Mülheim",
            ],
        ),
        ("de-simple", "de", ["Ich darf Nein sagen", "Wie es meiner Gesundheit geht", "Stadt-Teil"]),
        ("en", "en", ["Consent to share personal data", "Explicit consent", "Art. 7(3) GDPR"]),
    ],
)
def test_printable_consent_text_in_three_languages(
    scene: Any, variant: str, lang: str, phrases: list[str]
) -> None:
    session = scene["session"]
    saved = session.post(
        scene["url"] + "/new",
        data=consent_form(scene["provider"], data_categories=["identity", "district", "health"]),
        follow_redirects=False,
    )
    consent_url = saved.headers["location"].split("?")[0]
    page = session.get(consent_url + f"/print?variant_code={variant}")
    assert page.status_code == 200
    assert f'<article class="consent-document" lang="{lang}">' in page.text
    for phrase in phrases:
        assert phrase in page.text
    assert "K-0042" in page.text and "Aylin" not in page.text


def test_consent_text_can_be_printed_before_recording(scene: Any) -> None:
    params = consent_form(scene["provider"], data_categories=["identity", "contact"])
    params.pop("special_categories")
    page = scene["session"].get(scene["url"] + "/preview", params={**params, "variant_code": "en"})
    assert page.status_code == 200
    assert "Contact details (phone number, e-mail address)" in page.text
    assert "Explicit consent" not in page.text
    assert run(Consent.count()) == 0


def test_withdrawal_from_the_page_cancels_and_says_so(scene: Any) -> None:
    session = scene["session"]
    saved = session.post(
        scene["url"] + "/new", data=consent_form(scene["provider"]), follow_redirects=False
    )
    consent_url = saved.headers["location"].split("?")[0]
    consent = run(Consent.objects().first())
    assert consent is not None
    referral_id = run(
        new_referral(scene["client"], consent, scene["service"], scene["provider"], "sent")
    )
    # First the page names what the withdrawal cancels, and changes nothing yet.
    asked = session.post(consent_url + "/withdraw", data={"note": ""}, follow_redirects=False)
    assert asked.status_code == 200
    assert "Diese offene Vermittlung wird storniert" in asked.text
    assert "Ja, Einwilligung widerrufen" in asked.text
    assert run(Consent.objects().first()).withdrawn_at is None  # type: ignore[union-attr]
    done = session.post(
        consent_url + "/withdraw", data={"note": "", "confirmed": "yes"}, follow_redirects=False
    )
    assert done.status_code == 303
    page = session.get(done.headers["location"])
    assert "1 offene Vermittlung wurde abgebrochen" in page.text
    assert "Einwilligung jetzt widerrufen" not in page.text
    # The referral exchange cancels through the outbox.
    run(drain())
    state = run(Referral.select(Referral.state).where(Referral.id == referral_id).first())
    assert state is not None and state["state"] == "cancelled"
    client_page = session.get(f"/clients/{scene['client'].id}")
    assert "Deutschkurs B1" in client_page.text and "zurückgezogen" in client_page.text
    again = session.post(consent_url + "/withdraw", data={"note": ""})
    assert again.status_code == 409
    assert "Diese Einwilligung wurde bereits widerrufen." in again.text
