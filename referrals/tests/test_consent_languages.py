"""Consent in the client's language: the text they read is recorded with the consent (language
and version), shown to the recipient, and a translation not yet reviewed is printed only beside
the German original."""

from __future__ import annotations

from typing import Any

from clients.consent_catalog import consent_text
from clients.tables import Consent
from conftest import run
from referrals.tests.test_consent_pages import consent_form, scene

__all__ = ["scene"]


def record(scene: Any, **changes: Any) -> Any:
    return scene["session"].post(
        scene["url"] + "/new", data=consent_form(scene["provider"], **changes),
        follow_redirects=False,
    )


def test_consent_recorded_with_the_arabic_text_keeps_language_and_version(scene: Any) -> None:
    saved = record(scene, text_language="ar")
    assert saved.status_code == 303, saved.text
    stored = run(Consent.objects().first())
    assert stored is not None
    assert stored.text_language == "ar"
    assert stored.text_version == consent_text("ar").version
    page = scene["session"].get(saved.headers["location"])
    assert "العربية" in page.text and consent_text("ar").version in page.text


def test_an_unknown_text_language_is_refused_and_nothing_stored(scene: Any) -> None:
    response = record(scene, text_language="xx")
    assert response.status_code == 400
    assert 'href="#text_language"' in response.text
    assert run(Consent.count()) == 0


def test_unreviewed_arabic_text_is_printed_beside_the_german_original(scene: Any) -> None:
    saved = record(scene, text_language="ar")
    consent_url = saved.headers["location"].split("?")[0]
    page = scene["session"].get(consent_url + "/print")
    assert page.status_code == 200
    assert '<article class="consent-document" lang="ar" dir="rtl">' in page.text
    assert '<article class="consent-document" lang="de">' in page.text
    assert "يمكنني سحب هذه الموافقة" in page.text  # withdrawal, in Arabic
    assert "Ich kann die Einwilligung jederzeit" in page.text
    assert "هذه الترجمة لم تُراجع بعد" in page.text


def test_the_german_original_is_printed_alone(scene: Any) -> None:
    saved = record(scene)
    consent_url = saved.headers["location"].split("?")[0]
    page = scene["session"].get(consent_url + "/print")
    assert page.text.count('class="consent-document"') == 1


def test_every_catalog_language_prints_with_its_withdrawal_text(scene: Any) -> None:
    saved = record(scene, text_language="ti")
    consent_url = saved.headers["location"].split("?")[0]
    for code in ("uk", "prs", "fa", "tr", "ru", "kmr", "ti", "so", "fr", "de-simple"):
        page = scene["session"].get(consent_url + f"/print?variant_code={code}")
        assert page.status_code == 200, code
        assert consent_text(code)["voluntary_heading"].split()[0] in page.text, code
