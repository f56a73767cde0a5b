"""Fill German catalog entries from a JSON file of {"English msgid": "Deutsch"} pairs.

Usage: .venv/bin/python scripts/translate.py DOMAIN translations.json
Entries already translated are kept unless the JSON gives a new text. Compiles afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def main() -> None:
    domain, source = sys.argv[1], Path(sys.argv[2])
    pairs: dict[str, str] = json.loads(source.read_text(encoding="utf-8"))
    po_path = Path(domain) / "locale" / "de" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale="de")
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.id in pairs:
            message.string = pairs[message.id]
            message.flags.discard("fuzzy")
    with po_path.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, omit_header=False)
    missing = [m.id for m in catalog if m.id and not m.string]
    subprocess.run([".venv/bin/pybabel", "-q", "compile", "-f", "-i", str(po_path), "-o",
                    str(po_path.with_suffix(".mo"))], check=True)
    for message_id in missing:
        print(f"untranslated: {message_id}")


if __name__ == "__main__":
    main()
