"""The referral journey in a real browser: find the offer, refer, accept, be notified live.

Two people at once: the case manager keeps the notifications page open while the provider
answers in the inbox; every page on the way is checked with axe-core (WCAG 2.1 A/AA).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import run
from core.testing.browser import assert_accessible, expect_heading
from directory.tables import Location, ServiceAtLocation
from outbox.dispatcher import drain
from referrals.tests.exchange_support import Exchange

pytestmark = pytest.mark.browser


def _context(browser: Any, url: str) -> Any:
    context = browser.new_context(base_url=url, locale="de-DE")
    context.set_default_timeout(10_000)
    return context


def _find_offer(page: Any, ex: Exchange) -> None:
    """Search for the offer where the search page exists, else filter the offer list."""
    answer = page.goto("/search?q=Deutschkurs")
    if answer is not None and answer.status == 200:
        assert_accessible(page)
    else:
        page.goto("/offers")
        assert_accessible(page)
        page.get_by_role("button", name="Angebote anzeigen").click()
    page.locator(f'a[href="/referrals/new?service={ex.service_id}"]').first.click()
    page.wait_for_url(f"**/referrals/new?service={ex.service_id}")


def test_search_refer_accept_and_the_case_manager_is_notified(
    page: Any, _browser: Any, live_server: Any, exchange: Exchange, browser_login: Any,
) -> None:
    place = Location(organization=exchange.provider_org, name="VHS Mülheim, Aktienstraße",
                     district="Stadtmitte")
    run(place.save())
    run(ServiceAtLocation(service=exchange.service_id, location=place.id).save())
    # `page` is the case manager's; the provider works in a context of their own.
    provider_context = _context(_browser, live_server.url)
    try:
        case = page
        browser_login(case, exchange.case_manager)
        _find_offer(case, exchange)

        # The referral form.
        expect_heading(case, "Neue Vermittlung")
        assert_accessible(case)
        case.get_by_label("Klient/in (Pseudonym)").select_option(label="K-0001")
        case.get_by_label("Art des Bedarfs").select_option("language_course")
        case.get_by_label("Was gebraucht wird").fill("Deutschkurs B1 am Vormittag")
        case.get_by_label("Dringlichkeit").select_option("high")
        case.get_by_role("button", name="Vermittlung senden").click()
        case.wait_for_url(re.compile(r"/referrals/[0-9a-f-]{36}\?done=sent"))
        referral_id = case.url.split("/referrals/")[1].split("?")[0]
        assert "gesendet" in case.get_by_role("status").inner_text()
        assert_accessible(case)

        # The case manager waits on the notifications page (live stream open).
        case.goto("/notifications")
        assert_accessible(case)

        # The provider answers from the inbox.
        provider = provider_context.new_page()
        browser_login(provider, exchange.provider)
        provider.goto("/inbox")
        expect_heading(provider, "Eingegangene Vermittlungen")
        assert_accessible(provider)
        provider.locator(f'a[href="/inbox/{referral_id}"]').click()
        assert "Aylin" not in provider.content()
        assert_accessible(provider)
        provider.get_by_role("button", name="Annehmen").click()
        dialog = provider.get_by_role("dialog")
        assert dialog.is_visible()
        assert_accessible(provider)
        dialog.get_by_label("Termin (Datum, Uhrzeit, Ort)").fill("Dienstag, 9 Uhr, Raum 4")
        dialog.get_by_role("button", name="Bestätigen").click()
        provider.wait_for_url(re.compile(r"done=accepted"))
        assert "Aylin Yilmaz" in provider.content()
        assert_accessible(provider)

        # Delivery after commit; the open page receives it live.
        run(drain())
        live = case.locator("#live-notifications")
        live.get_by_text("Deutschkurs B1 hat Ihre Vermittlung angenommen").wait_for()
        assert "Termin: Dienstag, 9 Uhr, Raum 4" in live.inner_text()
        assert_accessible(case)

        case.goto(f"/referrals/{referral_id}")
        assert "angenommen" in case.locator(".badge").first.inner_text()
        assert_accessible(case)
    finally:
        provider_context.close()


def test_pages_in_english_are_accessible(
    page: Any, exchange: Exchange, browser_login: Any, resolves: Any,
) -> None:
    resolves({"caritas.example": "93.184.215.14"})
    browser_login(page, exchange.case_manager)
    page.goto("/referrals")
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Wechseln").click()
    page.wait_for_load_state()
    expect_heading(page, "My referrals")
    assert_accessible(page)
    page.goto(f"/referrals/new?service={exchange.service_id}")
    expect_heading(page, "New referral")
    assert_accessible(page)
    page.goto("/webhooks")
    page.get_by_label("Address (https://…)").fill("https://caritas.example/hook")
    page.get_by_role("button", name="Register").click()
    assert page.get_by_text("whsec_").is_visible()
    assert_accessible(page)
