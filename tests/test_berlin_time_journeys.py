"""Every time a person reads is Berlin time in one German format: the referral's history and
messages, the client and consent pages (stored in UTC, 15:33 in summer is 13:33 UTC)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from conftest import run
from core.testing.browser import assert_accessible
from core.time import BERLIN
from tests.journeys import Network, build_network, new_client_with_consent, send_referral

pytestmark = pytest.mark.browser


@pytest.fixture
def network(make_org: Any, make_user: Any, make_service: Any, api_client: Any) -> Network:
    return build_network(make_org, make_user, make_service, api_client)


def _moved_to_summer(referral_id: str, client_id: str) -> datetime:
    """Put the referral's history, message and the client's change at 13:33 UTC in July."""
    from clients.tables import Client
    from referrals.tables import ReferralMessage as Message
    from referrals.tables import ReferralTransition as Transition

    moment = datetime(2027, 7, 14, 13, 33, tzinfo=UTC)
    run(Transition.update({Transition.at: moment}).where(Transition.referral == referral_id))
    run(Message.update({Message.created_at: moment}).where(Message.referral == referral_id))
    run(Client.update({Client.updated_at: moment}).where(Client.id == client_id))
    return moment


def test_history_messages_and_client_pages_show_berlin_time(
    page: Any, browser_login: Any, network: Network
) -> None:
    client_id, _consent = new_client_with_consent(network)
    referral_id = send_referral(network, client_id)
    network.sender.post(f"/api/referrals/{referral_id}/messages", json={"body": "Bitte Rückruf"})
    moment = _moved_to_summer(referral_id, client_id)
    assert moment.astimezone(BERLIN).strftime("%H:%M") == "15:33"

    browser_login(page, network.case_manager)
    page.goto(f"/referrals/{referral_id}")
    history = page.locator("#history-title").locator("xpath=..").inner_text()
    assert "14.07.2027 15:33" in history and "13:33" not in history
    assert "14.07.2027 15:33" in page.locator("body").inner_text()
    page.goto(f"/clients/{client_id}")
    assert "14.07.2027 15:33" in page.locator("body").inner_text()
    assert_accessible(page)
