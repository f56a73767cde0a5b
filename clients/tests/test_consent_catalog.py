"""The consent texts as data: every language the network needs, each complete, versioned and
marked with its review state, German the original."""

from __future__ import annotations

import pytest

from clients.categories import CATEGORIES, EVIDENCE_KINDS, PURPOSES
from clients.consent_catalog import consent_text, consent_texts
from core.text_catalog import ORIGINAL, REVIEW_STATES

NEEDED = ("ar", "uk", "prs", "fa", "tr", "ru", "kmr", "ti", "so", "en", "fr", "de-simple")


def test_catalog_holds_the_twelve_languages_and_german() -> None:
    assert set(NEEDED) | {"de"} <= set(consent_texts())
    assert next(iter(consent_texts())) == "de"


@pytest.mark.parametrize("code", ["de", *NEEDED])
def test_each_text_is_complete_versioned_and_reviewable(code: str) -> None:
    text = consent_text(code)
    assert text.version and text.review in REVIEW_STATES
    assert set(CATEGORIES) <= set(text["categories"])
    assert set(PURPOSES) <= set(text["purposes"])
    assert set(EVIDENCE_KINDS) <= set(text["evidence"])
    # Withdrawal is explained in the same language and names where to withdraw.
    assert "{controller}" in text["withdrawal"]


def test_german_is_the_original_and_translations_await_review() -> None:
    assert consent_text("de").review == ORIGINAL and consent_text("de").trusted
    assert not consent_text("ar").trusted


def test_arabic_script_texts_run_right_to_left() -> None:
    assert all(consent_text(code).rtl for code in ("ar", "fa", "prs"))
    assert not consent_text("tr").rtl


def test_an_unknown_language_falls_back_to_german() -> None:
    assert consent_text("xx").code == "de"
