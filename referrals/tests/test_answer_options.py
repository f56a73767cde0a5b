"""A provider is offered only the answers the offer can take: no "Annehmen" when it is full,
no waitlist when its waitlist is closed."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import run
from core.testing.browser import assert_accessible
from tests.journeys import Network, build_network, new_client_with_consent, send_referral

pytestmark = pytest.mark.browser


@pytest.fixture
def network(make_org: Any, make_user: Any, make_service: Any, api_client: Any) -> Network:
    return build_network(make_org, make_user, make_service, api_client)


def _set_capacity(network: Network, available: int, waitlist_open: bool) -> None:
    from directory.tables import Capacity

    run(Capacity.update({Capacity.available: available, Capacity.waitlist_open: waitlist_open})
        .where(Capacity.service == network.service_id))


def test_a_full_offer_offers_the_waitlist_not_accepting(
    page: Any, browser_login: Any, network: Network
) -> None:
    client_id, _consent = new_client_with_consent(network)
    referral_id = send_referral(network, client_id)
    _set_capacity(network, available=0, waitlist_open=True)
    browser_login(page, network.provider)
    page.goto(f"/inbox/{referral_id}")
    assert page.get_by_role("button", name="Annehmen").count() == 0
    assert page.get_by_role("button", name="Auf die Warteliste setzen").count() == 1
    assert_accessible(page)


def test_a_closed_waitlist_is_not_offered(
    page: Any, browser_login: Any, network: Network
) -> None:
    client_id, _consent = new_client_with_consent(network)
    referral_id = send_referral(network, client_id)
    _set_capacity(network, available=2, waitlist_open=False)
    browser_login(page, network.provider)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/inbox/{referral_id}")
    assert page.get_by_role("button", name="Annehmen").count() == 1
    assert page.get_by_role("button", name="Auf die Warteliste setzen").count() == 0


def test_the_referral_form_warns_of_a_full_offer_and_an_open_referral(
    page: Any, browser_login: Any, network: Network
) -> None:
    client_id, _consent = new_client_with_consent(network)
    send_referral(network, client_id)
    _set_capacity(network, available=0, waitlist_open=False)
    browser_login(page, network.case_manager)
    page.goto(f"/referrals/new?service={network.service_id}&client={client_id}")
    notices = " ".join(page.get_by_role("status").all_inner_texts())
    assert "keinen freien Platz und seine Warteliste ist geschlossen" in notices
    assert "schon eine offene Vermittlung zu diesem Angebot" in notices
    assert_accessible(page)
    _set_capacity(network, available=0, waitlist_open=True)
    page.reload()
    notices = " ".join(page.get_by_role("status").all_inner_texts())
    assert "kann die Vermittlung auf seine Warteliste setzen" in notices
