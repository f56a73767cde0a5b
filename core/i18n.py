"""Languages of the interface: German first, English complete; gettext catalogs in core/locale."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from litestar.connection import ASGIConnection

ROOT = Path(__file__).resolve().parent.parent
# The folders with catalogs and templates: set from `domains.NAMES` by `domains.install()`.
_domains: tuple[str, ...] = ("core",)
LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
LANGUAGE_COOKIE = "lotse_lang"


def N_(message: str) -> str:  # noqa: N802 - the name gettext's extractor looks for
    """Marks a message for the catalogs; it is translated where it is shown."""
    return message


def use_domains(names: Sequence[str]) -> None:
    """The domains whose catalogs and templates make up the interface."""
    global _domains
    _domains = tuple(names)
    translations.cache_clear()


def domain_names() -> tuple[str, ...]:
    return _domains


@cache
def translations(lang: str) -> NullTranslations:
    """One catalog per domain (<domain>/locale), merged into one set of translations."""
    merged = Translations()
    for domain in _domains:
        folder = ROOT / domain / "locale"
        if (folder / lang / "LC_MESSAGES" / "messages.mo").exists():
            loaded = Translations.load(str(folder), [lang], domain="messages")
            if isinstance(loaded, Translations):
                merged.merge(loaded)
    return merged


def pick_language(connection: ASGIConnection) -> str:
    """Cookie first (the switch on every page), then the browser's preference, else German."""
    chosen = connection.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    accept = connection.headers.get("accept-language", "")
    for part in accept.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def gettext_for(connection: ASGIConnection) -> NullTranslations:
    return translations(pick_language(connection))
