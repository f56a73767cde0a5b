"""Languages an offer can be held in: ISO 639 codes known to the CLDR (via Babel) plus a few more.

The extra codes are languages often spoken by newcomers that the CLDR does not name.
"""

from __future__ import annotations

import re
from functools import cache

from babel import Locale

_CODE = re.compile(r"^[a-z]{2,3}$")

# code: (German name, English name)
_EXTRA: dict[str, tuple[str, str]] = {
    "prs": ("Dari", "Dari"),
    "kmr": ("Kurmandschi (Nordkurdisch)", "Kurmanji (Northern Kurdish)"),
    "gsg": ("Deutsche Gebärdensprache", "German Sign Language"),
}

# Offered first in forms: the languages most often asked for in the network.
COMMON = (
    "de", "en", "ar", "tr", "uk", "ru", "fa", "prs", "ps", "kmr", "ckb", "ti", "so", "am",
    "fr", "ro", "bg", "pl", "sq", "sr", "hr", "bs", "es", "it", "ku", "ur", "gsg",
)


# Languages written right to left: a text in one of them is set with dir="rtl".
RIGHT_TO_LEFT = frozenset({"ar", "fa", "prs", "ps", "ckb", "ur", "he", "yi", "ug", "sd"})


def direction(code: str) -> str:
    return "rtl" if code in RIGHT_TO_LEFT else "ltr"


@cache
def _names(lang: str) -> dict[str, str]:
    names = {code: name for code, name in Locale(lang).languages.items() if _CODE.match(code)}
    for code, (german, english) in _EXTRA.items():
        names[code] = german if lang == "de" else english
    return names


def is_known(code: str) -> bool:
    return code in _names("en")


def name(code: str, lang: str = "de") -> str:
    """The language's name in the interface language; the code itself if unknown."""
    return _names(lang if lang in {"de", "en"} else "de").get(code, code)


def choices(lang: str, selected: list[str] | tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(code, name) for a form: the common languages plus anything already selected."""
    codes = list(COMMON) + [c for c in selected if c not in COMMON]
    return [(code, name(code, lang)) for code in codes]
