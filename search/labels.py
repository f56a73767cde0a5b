"""Names to show for facet values: categories and target groups from the taxonomy (with each
term's parent, to group categories under their top category), languages from their codes."""

from __future__ import annotations

import time

from directory import api as directory

_CACHE_SECONDS = 60.0
_terms: dict[str, dict[str, str]] = {}
_parents: dict[str, str] = {}
_loaded_at = 0.0


async def _load() -> None:
    global _terms, _parents, _loaded_at
    if time.monotonic() - _loaded_at <= _CACHE_SECONDS:
        return
    nodes = await directory.taxonomy_terms()
    codes = {node.id: node.code for node in nodes}
    _terms = {node.code: {"de": node.name, "en": node.name_en or node.name} for node in nodes}
    _parents = {
        node.code: codes[node.parent_id]
        for node in nodes
        if node.parent_id is not None and node.parent_id in codes
    }
    _loaded_at = time.monotonic()


async def term_names() -> dict[str, dict[str, str]]:
    """code -> {"de": name, "en": name}, refreshed every minute."""
    await _load()
    return _terms


async def term_parents() -> dict[str, str]:
    """code -> the code of its parent term, for terms that have one."""
    await _load()
    return _parents


def forget_term_names() -> None:
    global _loaded_at
    _loaded_at = 0.0


def language_name(code: str, lang: str) -> str:
    """The directory's name of a language ("Kurmandschi (Nordkurdisch)" for kmr)."""
    return directory.language_name(code, lang)


class Labels:
    """Label lookup for one page in one language."""

    def __init__(
        self, terms: dict[str, dict[str, str]], lang: str, parents: dict[str, str] | None = None
    ) -> None:
        self.terms = terms
        self.lang = lang
        self.parents = parents or {}

    def __call__(self, facet: str, value: str) -> str:
        if facet in ("categories", "target_groups"):
            names = self.terms.get(value)
            return names.get(self.lang, value) if names else value
        if facet == "languages":
            return language_name(value, self.lang)
        return value

    def top_of(self, code: str) -> str:
        """The top category a category belongs to (itself when it is one, or is unknown)."""
        seen = {code}
        while code in self.parents and self.parents[code] not in seen:
            code = self.parents[code]
            seen.add(code)
        return code
