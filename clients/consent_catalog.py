"""The consent texts the client reads and signs: one catalog file per language (consent_texts/).

Each file carries a version and a review state; the language and version the client saw are
recorded with the consent as evidence. An unreviewed translation is only ever shown beside the
German original.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from core.text_catalog import LanguageText, load_catalog

FOLDER = Path(__file__).resolve().parent / "consent_texts"
ORIGINAL = "de"
REQUIRED = (
    "title", "reference", "intro", "after_recipients", "categories_heading", "special_label",
    "special", "validity_heading", "validity", "voluntary_heading", "voluntary", "withdrawal",
    "rights_heading", "rights", "sig_name", "sig_place_date", "sig_signature", "recorded",
    "categories", "purposes", "evidence",
)


@cache
def consent_texts() -> dict[str, LanguageText]:
    """Every language of the consent text, German first."""
    found = load_catalog(FOLDER, REQUIRED)
    return {ORIGINAL: found[ORIGINAL], **{c: t for c, t in found.items() if c != ORIGINAL}}


def consent_text(code: str | None) -> LanguageText:
    """The text in `code`; the German original for an unknown code."""
    texts = consent_texts()
    return texts.get(code or "", texts[ORIGINAL])
