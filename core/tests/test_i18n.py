from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from core.i18n import ROOT
from domains import NAMES as DOMAINS

METHODS = [("**/tests/**", "ignore"), ("**/piccolo_migrations/**", "ignore"),
           ("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def _extracted(domain: str) -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / domain), METHODS, options_map=OPTIONS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_interface_string_has_a_german_translation(domain: str) -> None:
    strings = _extracted(domain)
    if not strings:
        pytest.skip(f"{domain} has no interface strings")
    po = ROOT / domain / "locale" / "de" / "LC_MESSAGES" / "messages.po"
    assert po.exists(), f"run scripts/i18n {domain} and translate {po}"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.id and "fuzzy" not in m.flags
        and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(s for s in strings if s not in translated)
    assert not missing, f"untranslated in {po}: {missing[:20]}"


def test_pages_are_german_by_default(client: Any) -> None:
    page = client.get("/login").text
    assert "Bei Lotse anmelden" in page
    assert '<html lang="de">' in page


def test_english_is_chosen_from_the_browser_or_the_switch(client: Any) -> None:
    assert "Log in to Lotse" in client.get("/login", headers={"Accept-Language": "en-GB"}).text
    client.get("/login")
    client.post("/language", data={"lang": "en", "csrf_token": client.cookies.get("lotse_csrf")})
    page = client.get("/login").text
    assert "Log in to Lotse" in page and '<html lang="en">' in page


def test_locale_folders_hold_catalogs_for_both_languages() -> None:
    for domain in DOMAINS:
        folder: Path = ROOT / domain / "locale"
        if folder.exists():
            for lang in ("de", "en"):
                assert (folder / lang / "LC_MESSAGES" / "messages.po").exists(), (domain, lang)
