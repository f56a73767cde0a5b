"""Damaged copies of the corpus (a line left out, repeated, cut short or filled with noise) are
imported or refused by name: never an error the reader cannot place."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from calendars.ics_import import IcsImportError, ImportLimits, import_calendar

HERE = Path(__file__).parent
FILES = sorted(HERE.glob("ics_corpus/*.ics")) + sorted(HERE.glob("data/*.ics"))
NOISE = b"0123456789TZ;=,-:XP"


def damaged(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    index = rng.randrange(len(lines))
    action = rng.randrange(4)
    if action == 0:
        del lines[index]
    elif action == 1:
        lines.insert(index, lines[rng.randrange(len(lines))])
    elif action == 2 and b":" in lines[index]:
        name, value = lines[index].split(b":", 1)
        lines[index] = name + b":" + bytes(rng.choice(NOISE) for _ in range(len(value) or 3))
    else:
        lines[index] = lines[index][: rng.randrange(len(lines[index]) + 1)]
    return b"\n".join(lines)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_a_damaged_calendar_is_imported_or_refused_by_name(path: Path) -> None:
    rng = random.Random(path.name)  # the same damage on every run
    original = path.read_bytes()
    for _ in range(8):
        try:
            import_calendar(damaged(original, rng), date(2026, 12, 1), limits=ImportLimits())
        except IcsImportError as refusal:
            assert "could not be read" not in str(refusal), str(refusal)
