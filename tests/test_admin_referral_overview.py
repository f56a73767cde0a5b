"""The network admin sees the referrals' states in aggregate, with no personal data."""

from __future__ import annotations

from typing import Any

import pytest

from core.testing.browser import assert_accessible, expect_heading
from tests.journeys import (
    Network,
    answer,
    build_network,
    new_client_with_consent,
    ok,
    send_referral,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def network(make_org: Any, make_user: Any, make_service: Any, api_client: Any) -> Network:
    return build_network(make_org, make_user, make_service, api_client)


def test_the_network_admin_sees_referral_states_in_aggregate_without_personal_data(
    page: Any, browser_login: Any, network: Network, make_user: Any
) -> None:
    client_id, _consent = new_client_with_consent(network)
    first = send_referral(network, client_id)
    send_referral(network, client_id)
    ok(answer(network.receiver, first, to="accepted"))
    admin = make_user("network_admin")
    browser_login(page, admin)
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Vermittlungen im Netzwerk").click()
    expect_heading(page, "Vermittlungen im Netzwerk")
    by_state = page.get_by_role("table").first
    assert by_state.get_by_role("row", name="angenommen 1").is_visible()
    assert by_state.get_by_role("row", name="gesendet 1").is_visible()
    providers = page.locator("section", has=page.get_by_role(
        "heading", name="Nach empfangender Organisation"))
    assert "AWO Mülheim" in providers.inner_text()
    main = page.inner_text("main")
    assert "Aylin" not in main and "Yilmaz" not in main and "Deutschkurs B1" not in main
    assert_accessible(page)


def test_only_the_network_admin_sees_the_overview(
    page: Any, browser_login: Any, network: Network
) -> None:
    browser_login(page, network.case_manager)
    response = page.goto("/admin/referrals")
    assert response is not None and response.status == 403
