"""The referral form says what the client's consent covers, names what it lacks with a way to
extend it, starts from the client's languages and district, and drafts can be edited."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from core.testing.browser import assert_accessible, expect_heading
from tests.journeys import Network, build_network, ok

pytestmark = pytest.mark.browser


@pytest.fixture
def network(make_org: Any, make_user: Any, make_service: Any, api_client: Any) -> Network:
    return build_network(make_org, make_user, make_service, api_client)


def _client_without_birth_date_consent(net: Network) -> str:
    client = ok(net.sender.post("/api/clients", json={
        "given_name": "Aylin", "family_name": "Yilmaz", "pseudonym": "K-0815",
        "languages": ["tr", "ku"], "district": "Styrum", "birth_date": "1990-05-17",
    }), 201)
    today = date.today()
    ok(net.sender.post(f"/api/clients/{client['id']}/consents", json={
        "recipient_org_ids": [str(net.provider_org)], "purpose": "referral",
        "data_categories": ["identity", "contact", "languages", "district"],
        "valid_from": (today - timedelta(days=1)).isoformat(),
        "valid_until": (today + timedelta(days=180)).isoformat(), "evidence": "written",
    }), 201)
    return str(client["id"])


def test_a_refused_referral_names_the_missing_category_and_links_to_extend_the_consent(
    page: Any, browser_login: Any, network: Network
) -> None:
    client_id = _client_without_birth_date_consent(network)
    browser_login(page, network.case_manager)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/referrals/new?service={network.service_id}&client={client_id}")

    assert page.get_by_label("Sprachen der Person", exact=False).input_value() == "tr, ku"
    assert page.get_by_role("textbox", name="Stadtteil").input_value() == "Styrum"
    cover = page.locator(".consent-cover").inner_text()
    assert "Die Einwilligung des Klienten deckt ab: Name, Kontaktdaten, Sprachen" in cover
    assert "nicht von der Einwilligung abgedeckt" in page.locator(
        "label[for=cat-birth_date]").inner_text()
    assert_accessible(page)

    page.get_by_label("Art des Bedarfs").select_option("language_course")
    page.get_by_label("Altersgruppe", exact=True).select_option("27-44")
    page.get_by_role("button", name="Vermittlung senden").click()

    alert = page.get_by_role("alert").inner_text()
    assert "deckt nicht ab: Geburtsdatum (als Altersgruppe gezeigt)" in alert
    # What was typed stays, and the field that needs more is marked.
    age_band = page.get_by_label("Altersgruppe", exact=True)
    assert age_band.input_value() == "27-44"
    assert age_band.get_attribute("aria-describedby") == "age_band-consent"
    assert "Geburtsdatum" in page.locator("#age_band-consent").inner_text()
    assert_accessible(page)
    page.get_by_role("alert").get_by_role("link", name="Einwilligung erweitern").click()
    expect_heading(page, re.compile("^Einwilligung"))
    assert page.locator("#category-birth_date").is_checked()
    assert page.locator("#category-identity").is_checked()
    assert not page.locator("#category-health").is_checked()
    assert page.get_by_role("checkbox", name="AWO Mülheim").is_checked()
    # Nothing was written by the refused send.
    assert ok(network.sender.get("/api/referrals"))["total"] == 0


def test_a_draft_can_be_edited_and_then_sent(
    page: Any, browser_login: Any, network: Network
) -> None:
    client_id = _client_without_birth_date_consent(network)
    browser_login(page, network.case_manager)
    page.goto(f"/referrals/new?service={network.service_id}&client={client_id}")
    page.get_by_label("Art des Bedarfs").select_option("language_course")
    page.get_by_label("Was gebraucht wird", exact=False).fill("Deutschkurs A1")
    page.get_by_role("button", name="Als Entwurf speichern").click()

    page.get_by_role("link", name="Entwurf bearbeiten").click()
    expect_heading(page, "Entwurf bearbeiten")
    assert page.get_by_label("Was gebraucht wird", exact=False).input_value() == "Deutschkurs A1"
    assert_accessible(page)
    page.get_by_label("Was gebraucht wird", exact=False).fill("Deutschkurs A2 am Vormittag")
    page.get_by_role("button", name="Vermittlung senden").click()
    page.wait_for_url(lambda url: "done=sent" in url)
    referral = ok(network.sender.get("/api/referrals"))["items"][0]
    detail = ok(network.sender.get(f"/api/referrals/{referral['id']}"))
    assert detail["state"] == "sent" and detail["need_text"] == "Deutschkurs A2 am Vormittag"
