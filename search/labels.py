"""Names to show for facet values: categories and target groups from the taxonomy, languages
from their codes."""

from __future__ import annotations

import time

from directory import api as directory

_CACHE_SECONDS = 60.0
_terms: dict[str, dict[str, str]] = {}
_loaded_at = 0.0


async def term_names() -> dict[str, dict[str, str]]:
    """code -> {"de": name, "en": name}, refreshed every minute."""
    global _terms, _loaded_at
    if time.monotonic() - _loaded_at > _CACHE_SECONDS:
        _terms = {
            term.code: {"de": term.name, "en": term.name_en or term.name}
            for term in await directory.taxonomy_terms()
        }
        _loaded_at = time.monotonic()
    return _terms


def forget_term_names() -> None:
    global _loaded_at
    _loaded_at = 0.0


def language_name(code: str, lang: str) -> str:
    """The directory's name of a language ("Kurmandschi (Nordkurdisch)" for kmr)."""
    return directory.language_name(code, lang)


class Labels:
    """Label lookup for one page in one language."""

    def __init__(self, terms: dict[str, dict[str, str]], lang: str) -> None:
        self.terms = terms
        self.lang = lang

    def __call__(self, facet: str, value: str) -> str:
        if facet in ("categories", "target_groups"):
            names = self.terms.get(value)
            return names.get(self.lang, value) if names else value
        if facet == "languages":
            return language_name(value, self.lang)
        return value
