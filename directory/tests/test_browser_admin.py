"""Organisations and offers created and edited in a real browser (German, axe checks)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import run
from core.testing.browser import assert_accessible, expect_heading, screenshot
from directory.tables import Organization, Service
from directory.tests.conftest import Network

pytestmark = pytest.mark.browser


def test_admin_creates_and_edits_an_organisation_and_its_first_offer(
    page: Any, network: Network, browser_login: Any,
) -> None:
    browser_login(page, network.admin)
    page.goto("/admin/organizations")
    page.get_by_role("link", name="Neue Organisation").click()
    page.wait_for_url("**/admin/organizations/new")
    expect_heading(page, "Neue Organisation")
    assert_accessible(page)
    # Only spaces pass the browser's own check; the server refuses and keeps the rest.
    page.get_by_label("Name", exact=True).fill("   ")
    page.get_by_label("Beschreibung").fill("Ehrenamtliche Hilfe in Styrum")
    page.get_by_role("button", name="Organisation anlegen").click()
    alert = page.get_by_role("alert")
    assert "Bitte geben Sie den Namen der Organisation ein." in alert.inner_text()
    assert page.get_by_label("Beschreibung").input_value() == "Ehrenamtliche Hilfe in Styrum"
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Flüchtlingshilfe Styrum")
    page.get_by_label("Art").select_option(label="Ehrenamtliche Initiative")
    page.get_by_label("E-Mail").fill("kontakt@fh-styrum.example")
    page.get_by_label("Telefon").fill("0208 55555")
    page.get_by_role("button", name="Organisation anlegen").click()
    page.wait_for_url("**/edit?done=created")
    assert page.get_by_role("status").inner_text().strip() == "Die Organisation wurde angelegt."
    screenshot(page, "admin-organisation-created")
    assert_accessible(page)

    page.get_by_label("Name", exact=True).fill("Flüchtlingshilfe Styrum e. V.")
    page.get_by_label("Art").select_option(label="Verein")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url("**/edit?done=saved")
    expect_heading(page, "Organisation bearbeiten: Flüchtlingshilfe Styrum e. V.")
    row = run(Organization.select(Organization.kind).where(
        Organization.name == "Flüchtlingshilfe Styrum e. V.").first())
    assert row is not None and row["kind"] == "club"

    page.get_by_role("link", name="Neues Angebot dieser Organisation").click()
    expect_heading(page, "Neues Angebot")
    assert page.get_by_text("Die Organisation hat noch keine Orte.").is_visible()
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Begleitung zu Ämtern")
    page.get_by_label("Arabisch").check()
    page.get_by_label("Migrationsberatung", exact=True).check()
    page.get_by_role("button", name="Angebot anlegen").click()
    page.wait_for_url("**?saved=true")
    expect_heading(page, "Begleitung zu Ämtern")
    assert page.get_by_text("Arabisch").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Angebot bearbeiten").click()
    page.get_by_label("Name", exact=True).fill("Begleitung zu Ämtern und Behörden")
    page.get_by_label("Kostenlos").uncheck()
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url("**?saved=true")
    expect_heading(page, "Begleitung zu Ämtern und Behörden")
    offer = run(Service.select(Service.free_of_charge).where(
        Service.name == "Begleitung zu Ämtern und Behörden").first())
    assert offer is not None and offer["free_of_charge"] is False

    page.goto("/admin/organizations?name=Styrum")
    page.get_by_role("link", name=re.compile(r"^Bearbeiten\W+Flüchtlingshilfe Styrum")).click()
    page.get_by_label("Ja, Flüchtlingshilfe Styrum e. V. mit allen Angeboten").check()
    page.get_by_role("button", name="Organisation stilllegen").click()
    page.wait_for_url("**/edit?done=retired")
    assert "stillgelegt" in page.get_by_role("status").inner_text()
    assert page.get_by_role("button", name="Speichern").count() == 0
    assert_accessible(page)


def test_provider_adds_a_place_and_creates_an_offer_there_on_a_phone(
    page: Any, network: Network, browser_login: Any,
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, network.provider_a)
    page.goto(f"/organizations/{network.org_a}")
    page.get_by_role("link", name="Neuer Ort").click()
    expect_heading(page, "Neuer Ort: Caritas Mülheim")
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Familienzentrum")
    page.get_by_label("Straße und Hausnummer").fill("Aktienstraße 5")
    page.get_by_label("Postleitzahl").fill("45473")
    page.get_by_label("Stadtteil").fill("Eppinghofen")
    page.get_by_label("Rollstuhlgerecht").check()
    page.get_by_role("button", name="Ort anlegen").click()
    page.wait_for_url("**?done=place")
    assert page.get_by_role("status").first.inner_text().strip() == "Der Ort wurde gespeichert."
    assert page.get_by_text("Aktienstraße 5").is_visible()
    assert_accessible(page)
    page.goto("/my-offers")
    page.get_by_role("link", name="Neues Angebot").click()
    page.wait_for_url(f"**/organizations/{network.org_a}/offers/new")
    assert page.get_by_label("Diakoniezentrum").count() == 0
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Sprachcafé am Mittwoch")
    page.get_by_label("Beschreibung").fill("Deutsch üben bei Kaffee und Kuchen.")
    page.get_by_label("Integrationskurs", exact=True).check()
    page.get_by_label("Familienzentrum").check()
    page.get_by_role("button", name="Angebot anlegen").click()
    page.wait_for_url("**?saved=true")
    expect_heading(page, "Sprachcafé am Mittwoch")
    assert page.get_by_text("Aktienstraße 5").first.is_visible()
    screenshot(page, "provider-offer-created-phone")
    assert_accessible(page)
