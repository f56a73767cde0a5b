"""German compound words split into the words they are made of, so that "Wohnungsberatung"
finds offers about "Wohnung" and "Beratung" and "Flüchtlingshilfe" finds "Hilfe für Geflüchtete".

The dictionary is the German word list of pyspellchecker (about 336,000 words from
OpenSubtitles); a compound is split where every part is a word of it, joined directly or by
a linking element ("Wohnung-s-beratung"). Of several splits the one with the fewest parts wins,
then the one with the shortest parts (a linking "s" belongs between the parts, not to a part).
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib.resources import files

from search.german import fold

# Linking elements (Fugenelemente) between the parts of a German compound.
LINKS = ("", "s", "es", "n", "en", "e", "er", "ens")
MIN_PART = 3
MAX_PARTS = 3


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """The folded words of the dictionary (loaded once per process, about a second)."""
    data = files("spellchecker").joinpath("resources", "de.json.gz").read_bytes()
    words: dict[str, int] = json.loads(gzip.decompress(data))
    return frozenset(w.lower() if w.isascii() else fold(w) for w in words if len(w) >= MIN_PART)


@lru_cache(maxsize=200_000)
def parts(word: str) -> tuple[str, ...]:
    """The parts of a folded compound ("wohnungsberatung" -> ("wohnung", "beratung")), or ()
    when the word is itself a dictionary word or cannot be split into dictionary words."""
    if len(word) < 2 * MIN_PART or not word.isalpha():
        return ()
    known = vocabulary()
    if word in known:
        return ()
    found = _split(word, known, MAX_PARTS)
    return found if found is not None and len(found) > 1 else ()


def _split(word: str, known: frozenset[str], most: int) -> tuple[str, ...] | None:
    if word in known:
        return (word,)
    if most < 2:
        return None
    best: tuple[str, ...] | None = None
    for end in range(MIN_PART, len(word) - MIN_PART + 1):
        rest = _split(word[end:], known, most - 1)
        if rest is None:
            continue
        head = word[:end]
        for link in LINKS:
            first = head[: len(head) - len(link)] if link else head
            if len(first) < MIN_PART or not head.endswith(link) or first not in known:
                continue
            candidate = (first, *rest)
            if best is None or _better(candidate, best):
                best = candidate
    return best


def _better(candidate: tuple[str, ...], best: tuple[str, ...]) -> bool:
    return (len(candidate), sum(map(len, candidate))) < (len(best), sum(map(len, best)))
