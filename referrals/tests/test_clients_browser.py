"""A case manager records a client and a consent in a real browser; every page passes axe."""

from __future__ import annotations

from typing import Any

import pytest

from core.testing.browser import assert_accessible, expect_heading

pytestmark = pytest.mark.browser


def test_client_and_consent_journey_is_accessible(
    page: Any, make_user: Any, make_org: Any, browser_login: Any
) -> None:
    make_org("VHS Mülheim")
    user = make_user("case_manager", make_org("Caritas Mülheim"))
    browser_login(page, user)

    page.goto("/clients")
    assert_accessible(page)
    page.get_by_role("link", name="Neue Klientin / neuen Klienten erfassen").click()
    assert_accessible(page)
    page.get_by_label("Pseudonym", exact=True).fill("Akte-17")
    page.get_by_label("Vorname").fill("Aylin")
    page.get_by_label("Nachname").fill("Yilmaz")
    page.get_by_label("Geburtsdatum").fill("1990-05-17")
    page.get_by_label("E-Mail").fill("kein-at-zeichen")
    page.get_by_label("Türkisch").check()
    page.get_by_label("Stadtteil").fill("Styrum")
    page.get_by_role("button", name="Klient:in erfassen").click()

    # A problem is announced, linked to its field, and the typed values stay.
    alert = page.get_by_role("alert")
    assert "Das ist keine E-Mail-Adresse." in alert.inner_text()
    assert_accessible(page)
    assert page.get_by_label("Vorname").input_value() == "Aylin"
    page.get_by_label("E-Mail").fill("aylin@example.org")
    page.get_by_role("button", name="Klient:in erfassen").click()

    page.wait_for_url("**/clients/*?done=created")
    expect_heading(page, "Klient/in Akte-17")
    assert "Aylin" not in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="Personenbezogene Daten anzeigen").click()
    assert "Aylin" in page.content() and "Türkisch" in page.content()
    assert_accessible(page)
    page.get_by_role("link", name="Zurück zur Klientin bzw. zum Klienten").click()

    page.get_by_role("link", name="Einwilligung erfassen").click()
    assert_accessible(page)
    page.get_by_role("group", name="Organisationen, die die Daten erhalten dürfen").get_by_label(
        "VHS Mülheim").check()
    page.get_by_label("Vermittlung an ein Angebot").check()
    page.get_by_label("Name", exact=True).check()
    page.get_by_label("Kontaktdaten (Telefon, E-Mail)").check()
    page.get_by_label("Schriftlich (unterschriebenes Formular)").check()
    page.get_by_role("button", name="Einwilligung erfassen").click()

    page.wait_for_url("**/consents/*?done=recorded")
    assert "Die Einwilligung wurde erfasst." in page.get_by_role("status").inner_text()
    assert_accessible(page)

    for name in ("Deutsch", "Leichte Sprache", "English"):
        page.get_by_role("link", name=name, exact=True).first.click()
        # A translation is printed beside the German original, the original alone.
        documents = page.locator("article.consent-document")
        assert documents.count() == (1 if name == "Deutsch" else 2)
        assert documents.first.locator("h1").is_visible()
        assert_accessible(page)
        page.go_back()

    page.get_by_role("button", name="Einwilligung jetzt widerrufen").click()
    page.get_by_role("button", name="Ja, Einwilligung widerrufen").click()
    page.wait_for_url("**done=withdrawn**")
    assert "widerrufen" in page.get_by_role("status").inner_text()
    assert_accessible(page)

    page.goto(page.url.split("/consents/")[0] + "/export")
    assert "Yilmaz" in page.content()
    assert_accessible(page)
    page.goto(page.url.replace("/export", "/erase"))
    assert_accessible(page)


def test_audit_page_is_accessible(page: Any, make_user: Any, browser_login: Any) -> None:
    browser_login(page, make_user("network_admin"))
    page.goto("/audit?verify=1")
    expect_heading(page, "Protokoll")
    assert "Die Kette ist unversehrt" in page.get_by_role("status").inner_text()
    assert_accessible(page)


def test_a_client_without_name_or_pseudonym_is_refused_with_a_message(
    page: Any, make_user: Any, make_org: Any, browser_login: Any
) -> None:
    browser_login(page, make_user("case_manager", make_org("Caritas Mülheim")))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/clients/new")
    page.get_by_label("Stadtteil").fill("Styrum")
    page.get_by_role("button", name="Klient:in erfassen").click()
    alert = page.get_by_role("alert")
    assert "Bitte geben Sie den Namen der Person oder ein Pseudonym an" in alert.inner_text()
    assert page.get_by_label("Stadtteil").input_value() == "Styrum"
    page.goto("/clients")
    assert page.locator("tbody tr").count() == 0
    assert_accessible(page)
