"""Texts for clients, kept as data: one TOML file per language, with a version and a review state.

The city's translators review a file and change `review` (and `version` when the wording
changes); the code never holds these texts. A file looks like:

    [meta]
    name = "العربية"          # the language's name in itself
    german_name = "Arabisch"
    lang = "ar"               # the HTML lang attribute
    dir = "rtl"
    version = "2026-12-1"
    review = "unreviewed"     # original | reviewed | unreviewed
    [texts]
    title = "..."
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

ORIGINAL = "original"
REVIEWED = "reviewed"
UNREVIEWED = "unreviewed"
REVIEW_STATES = (ORIGINAL, REVIEWED, UNREVIEWED)


class CatalogError(ValueError):
    """A catalog file is incomplete or names an unknown review state."""


@dataclass(frozen=True)
class LanguageText:
    code: str
    name: str
    german_name: str
    lang: str
    dir: str
    version: str
    review: str
    texts: dict[str, Any] = field(default_factory=dict)

    @property
    def rtl(self) -> bool:
        return self.dir == "rtl"

    @property
    def trusted(self) -> bool:
        """Shown on its own only when it is the original or a translator reviewed it."""
        return self.review in {ORIGINAL, REVIEWED}

    def __getitem__(self, key: str) -> Any:
        return self.texts[key]

    def fill(self, key: str, **values: Any) -> Markup:
        """The text `key` with {placeholders} filled: plain values escaped and in <strong>,
        Markup values as they are; line breaks become <br> (Leichte Sprache sets one sentence
        to a line)."""
        raw = str(self.texts[key])
        safe = {
            k: v if isinstance(v, Markup) else Markup("<strong>{}</strong>").format(v)
            for k, v in values.items()
        }
        filled = escape(raw).replace("{", "\x00").replace("}", "\x01")
        for name, value in safe.items():
            filled = filled.replace(f"\x00{name}\x01", value)
        filled = filled.replace("\x00", "{").replace("\x01", "}")
        return filled.replace("\n", Markup("<br>"))


def load_catalog(folder: Path, required: tuple[str, ...]) -> dict[str, LanguageText]:
    """Every `*.toml` of `folder` by code (the file name); each must hold every required key."""
    found: dict[str, LanguageText] = {}
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        meta, texts = data.get("meta", {}), data.get("texts", {})
        missing = [key for key in required if key not in texts]
        if missing:
            raise CatalogError(f"{path.name}: missing {', '.join(missing)}")
        if meta.get("review") not in REVIEW_STATES:
            raise CatalogError(f"{path.name}: review must be one of {REVIEW_STATES}")
        found[path.stem] = LanguageText(
            code=path.stem,
            name=str(meta["name"]),
            german_name=str(meta.get("german_name", meta["name"])),
            lang=str(meta.get("lang", path.stem)),
            dir="rtl" if meta.get("dir") == "rtl" else "ltr",
            version=str(meta["version"]),
            review=str(meta["review"]),
            texts=texts,
        )
    return found
