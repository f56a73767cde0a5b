"""Choosing a consent's recipients among many organisations: a filter box over checkboxes,
used with the keyboard alone, and the same checkboxes without script."""

from __future__ import annotations

from typing import Any

import pytest

from core.testing.browser import assert_accessible
from tests.journeys import Network, build_network, ok

pytestmark = pytest.mark.browser


@pytest.fixture
def network(make_org: Any, make_user: Any, make_service: Any, api_client: Any) -> Network:
    return build_network(make_org, make_user, make_service, api_client)


def _client(net: Network) -> str:
    return str(ok(net.sender.post("/api/clients", json={
        "given_name": "Aylin", "family_name": "Yilmaz", "pseudonym": "K-0042"}), 201)["id"])


def test_recipients_are_found_by_typing_and_ticked_with_the_keyboard(
    page: Any, browser_login: Any, network: Network, make_org: Any
) -> None:
    for n in range(40):
        make_org(f"Träger {n:02d}")
    make_org("Diakonie Mülheim")
    client_id = _client(network)
    browser_login(page, network.case_manager)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/clients/{client_id}/consents/new")
    assert_accessible(page)

    search = page.get_by_role("searchbox", name="Organisation suchen")
    search.focus()
    page.keyboard.type("muelheim")
    group = page.get_by_role("group", name="Organisationen, die die Daten erhalten dürfen")
    assert group.get_by_role("checkbox").filter(visible=True).count() == 2
    assert "2 von 42 angezeigt, 0 gewählt" in group.get_by_role("status").inner_text()
    page.keyboard.press("Enter")  # to the first match, without sending the form
    assert "/consents/new" in page.url
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.get_by_role("checkbox", name="Diakonie Mülheim").is_checked()
    search.fill("Träger 07")
    page.get_by_role("checkbox", name="Träger 07").check()
    search.fill("")
    # What was ticked stays visible and chosen while the filter changes.
    assert "42 von 42 angezeigt, 2 gewählt" in group.get_by_role("status").inner_text()
    assert_accessible(page)

    page.get_by_label("Vermittlung an ein Angebot").check()
    page.get_by_label("Name", exact=True).check()
    page.get_by_label("Schriftlich (unterschriebenes Formular)").check()
    page.get_by_role("button", name="Einwilligung erfassen").click()
    page.wait_for_url("**/consents/*?done=recorded")
    recorded = page.inner_text("main")
    assert "Diakonie Mülheim" in recorded and "Träger 07" in recorded


def test_recipients_can_be_chosen_without_script(
    _browser: Any, live_server: Any, browser_login: Any, network: Network
) -> None:
    client_id = _client(network)
    context = _browser.new_context(base_url=live_server.url, locale="de-DE",
                                   java_script_enabled=False)
    try:
        page = context.new_page()
        browser_login(page, network.case_manager)
        page.goto(f"/clients/{client_id}/consents/new")
        assert page.get_by_role("searchbox").count() == 0
        page.get_by_role("checkbox", name="AWO Mülheim").check()
        page.get_by_label("Vermittlung an ein Angebot").check()
        page.get_by_label("Name", exact=True).check()
        page.get_by_label("Schriftlich (unterschriebenes Formular)").check()
        page.get_by_role("button", name="Einwilligung erfassen").click()
        page.wait_for_url("**/consents/*?done=recorded")
        assert "AWO Mülheim" in page.inner_text("main")
    finally:
        context.close()
