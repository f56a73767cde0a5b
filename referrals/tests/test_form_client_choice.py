"""Choosing the client on the referral form: their languages, district and consent come along,
in place with script and through the "take over" button without."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from clients.api import ConsentInput, PersonalData, create_client, record_consent
from conftest import run
from core.testing.browser import assert_accessible
from core.time import berlin_today
from referrals.tests.exchange_support import Exchange
from referrals.tests.test_pages import session


def _second_client(ex: Exchange) -> UUID:
    """K-0002 speaks Arabic, lives in Eppinghofen and agreed to share only name and contact."""
    person = PersonalData(given_name="Omar", family_name="Haddad", languages=["ar"],
                          district="Eppinghofen")
    client = run(create_client(ex.sender, person, "127.0.0.1", pseudonym="K-0002"))
    run(record_consent(client.id, ConsentInput(
        recipient_org_ids=[ex.provider_org], purpose="referral",
        data_categories=["identity", "contact"], valid_from=berlin_today(),
        valid_until=berlin_today() + timedelta(days=180), evidence="written"),
        ex.sender, "127.0.0.1"))
    return client.id


def test_take_over_button_without_script_fills_in_the_chosen_client(exchange, login):
    other = _second_client(exchange)
    case = session(login, exchange.case_manager)
    try:
        # What the button sends by GET: the form's fields, the offer as service_id.
        page = case.get("/referrals/new", params={
            "service_id": str(exchange.service_id), "client_id": str(other), "check": "1",
            "languages": "", "district": "", "urgency": "normal"})
        assert page.status_code == 200
        assert 'value="ar"' in page.text and 'value="Eppinghofen"' in page.text
        assert "Einwilligung für VHS Mülheim" in page.text
        assert "nicht von der Einwilligung abgedeckt" in page.text
    finally:
        case.__exit__(None, None, None)


def test_choosing_another_client_replaces_the_last_ones_languages_and_district(exchange, login):
    other = _second_client(exchange)
    case = session(login, exchange.case_manager)
    try:
        page = case.get("/referrals/new", params={
            "service_id": str(exchange.service_id), "client_id": str(other), "check": "1",
            "refill": "1", "languages": "tr, de", "district": "Styrum"}).text
        assert 'value="ar"' in page and 'value="Eppinghofen"' in page
        assert "Styrum" not in page
    finally:
        case.__exit__(None, None, None)


@pytest.mark.browser
def test_choosing_a_client_refills_the_form_without_a_reload(
    page: Any, exchange: Exchange, browser_login: Any,
) -> None:
    _second_client(exchange)
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, exchange.case_manager)
    page.goto(f"/referrals/new?service={exchange.service_id}")
    # A mark on the window: a page load would wipe it, an htmx swap keeps it.
    page.evaluate("window.lotseMark = 'same page'")
    choice = page.get_by_label("Klient/in (Pseudonym)")
    choice.select_option(label="K-0001")
    expect_value(page, "#languages", "tr, de")
    expect_value(page, "#district", "Styrum")
    cover = page.locator(".consent-cover")
    assert "Geburtsdatum" in cover.inner_text()
    choice = page.get_by_label("Klient/in (Pseudonym)")
    choice.select_option(label="K-0002")
    # Typed at once, while the client's data loads: held until it is there, then kept.
    page.get_by_label("Was gebraucht wird").fill("Deutschkurs am Vormittag")
    expect_value(page, "#languages", "ar")
    expect_value(page, "#need_text", "Deutschkurs am Vormittag")
    expect_value(page, "#district", "Eppinghofen")
    cover = page.locator(".consent-cover")
    assert "Geburtsdatum" not in cover.inner_text().split("Nicht abgedeckt")[0]
    assert page.locator("#district-consent").is_visible()
    assert page.evaluate("window.lotseMark") == "same page"
    assert page.url.endswith(f"/referrals/new?service={exchange.service_id}")
    assert_accessible(page)


def expect_value(page: Any, selector: str, value: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator(selector)).to_have_value(value, timeout=5000)


@pytest.mark.browser
def test_without_script_the_take_over_button_fills_in_the_client(
    _browser: Any, live_server: Any, exchange: Exchange, browser_login: Any,
) -> None:
    _second_client(exchange)
    context = _browser.new_context(base_url=live_server.url, locale="de-DE",
                                   java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        browser_login(page, exchange.case_manager)
        page.goto(f"/referrals/new?service={exchange.service_id}")
        page.get_by_label("Klient/in (Pseudonym)").select_option(label="K-0002")
        page.get_by_role("button", name="Daten des Klienten übernehmen").click()
        page.wait_for_load_state()
        assert page.locator("#languages").input_value() == "ar"
        assert page.locator("#district").input_value() == "Eppinghofen"
        assert "Einwilligung für VHS Mülheim" in page.locator(".consent-cover").inner_text()
    finally:
        context.close()
