"""Withdrawing a consent in the browser: the page first names the referrals it will cancel."""

from __future__ import annotations

from typing import Any

import pytest

from core.testing.browser import assert_accessible, expect_heading
from tests.journeys import Network, build_network, new_client_with_consent, send_referral

pytestmark = pytest.mark.browser


@pytest.fixture
def network(make_org: Any, make_user: Any, make_service: Any, api_client: Any) -> Network:
    return build_network(make_org, make_user, make_service, api_client)


def test_withdrawing_names_the_referrals_it_cancels_before_it_happens(
    page: Any, browser_login: Any, network: Network
) -> None:
    client_id, consent_id = new_client_with_consent(network)
    send_referral(network, client_id)
    browser_login(page, network.case_manager)
    page.goto(f"/clients/{client_id}/consents/{consent_id}")
    page.get_by_role("button", name="Einwilligung jetzt widerrufen").click()

    expect_heading(page, "Einwilligung widerrufen?")
    listed = page.locator(".cancelled-referrals").inner_text()
    assert "Deutschkurs am Vormittag (gesendet)" in listed
    assert_accessible(page)
    page.get_by_role("link", name="Nein, behalten").click()
    assert page.get_by_role("button", name="Einwilligung jetzt widerrufen").is_visible()

    page.get_by_role("button", name="Einwilligung jetzt widerrufen").click()
    page.get_by_role("button", name="Ja, Einwilligung widerrufen").click()
    assert "1 offene Vermittlung wurde abgebrochen" in page.get_by_role("status").inner_text()
