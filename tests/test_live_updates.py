"""Live updates: when the provider accepts, the case manager's open referral page changes by
itself within 2 seconds, and the header counts the unread notification."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import run
from core.testing.browser import assert_accessible
from outbox.dispatcher import drain
from tests.journeys import Network, build_network, new_client_with_consent, send_referral

pytestmark = pytest.mark.browser


@pytest.fixture
def network(make_org: Any, make_user: Any, make_service: Any, api_client: Any) -> Network:
    return build_network(make_org, make_user, make_service, api_client)


def test_the_case_managers_page_follows_the_providers_answer(
    page: Any, browser_login: Any, network: Network, live_server: Any
) -> None:
    client_id, _consent = new_client_with_consent(network)
    referral_id = send_referral(network, client_id)
    run(drain())  # the "sent" notification reaches the provider, as a worker would deliver it
    browser_login(page, network.case_manager)
    page.goto(f"/referrals/{referral_id}")
    assert "Angenommen" not in page.locator("main").inner_text()

    provider_context = page.context.browser.new_context(base_url=live_server.url,
                                                         locale="de-DE")
    provider = provider_context.new_page()
    try:
        browser_login(provider, network.provider)
        provider.goto(f"/inbox/{referral_id}")
        provider.get_by_role("button", name="Annehmen").click()
        provider.get_by_role("dialog").get_by_role("button", name="Bestätigen").click()
        provider.wait_for_url(f"**/inbox/{referral_id}?done=*")
    finally:
        provider_context.close()

    run(drain())  # the worker tells the case manager
    page.locator("main").get_by_text("Angenommen").first.wait_for(timeout=2_000)
    page.locator("#unread-count").filter(has_text="ungelesen").wait_for(timeout=2_000)
    assert_accessible(page)
