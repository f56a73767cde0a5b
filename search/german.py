"""How Lotse reads German (and other) text for search: folding, variants, stems, word parts.

The same functions prepare the indexed text and the user's query, so both sides agree:
- letters lose their diacritics and case ("Flüchtlinge" -> "fluchtlinge", "Straße" -> "strasse");
- a word with an umlaut is also indexed in its ae/oe/ue spelling ("fluechtlinge"), so a query
  typed without umlauts finds it, while words like "Frauen" stay untouched;
- hyphenated compounds are also indexed glued ("Schuldner-Beratung" -> "schuldnerberatung");
- stems come from the German Snowball stemmer;
- the tails of long words are indexed as word parts, so "beratung" finds "Migrationsberatung".
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import tantivy

# Words of at least this many letters may have one typo; from the second figure on, two
# (the defaults of Meilisearch, which users of the server engine get too).
ONE_TYPO_FROM = 5
TWO_TYPOS_FROM = 9
# Word parts shorter than this say too little to be worth matching.
MIN_PART = 4

_TOKEN = re.compile(r"[^\W_]+(?:[-‐‑][^\W_]+)*")
_HYPHEN = re.compile(r"[-‐‑]")
_UMLAUT_SPELLING = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
# Letters that Unicode does not decompose into a base letter and a mark.
_SPECIAL = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)
_UMLAUTS = frozenset("äöüÄÖÜ")

# fmt: off
STOPWORDS = frozenset((
    "und", "oder", "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem",
    "einer", "eines", "fur", "fuer", "mit", "von", "vom", "zu", "zum", "zur", "im", "in", "am",
    "an", "auf", "bei", "aus", "nach", "ist", "sind", "the", "and", "or", "for", "of", "to",
    "on", "at", "with",
))
# fmt: on

SYNONYMS_FILE = Path(__file__).resolve().parent / "synonyms.json"


def fold(text: str) -> str:
    """Lower case without diacritics; ß becomes ss."""
    text = text.casefold().translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def _split(text: str) -> list[str]:
    # A soft hyphen only marks where a long word may break: it is not a word boundary.
    return _TOKEN.findall(text.replace("\u00ad", ""))


def raw_words(text: str) -> list[str]:
    """The words of a text as written (hyphenated compounds split into their parts)."""
    return [part for token in _split(text) for part in _HYPHEN.split(token) if part]


def words(text: str) -> list[str]:
    """The folded words of a text, in order (hyphenated compounds split into their parts)."""
    result: list[str] = []
    for token in _split(text):
        result.extend(fold(part) for part in _HYPHEN.split(token) if part)
    return result


def index_words(text: str) -> list[str]:
    """The words to index for a text: folded words, then umlaut spellings and glued compounds."""
    result: list[str] = []
    extra: list[str] = []
    for token in _split(text):
        parts = [part for part in _HYPHEN.split(token) if part]
        for part in parts:
            result.append(fold(part))
            if not _UMLAUTS.isdisjoint(part):
                extra.append(fold(part.translate(_UMLAUT_SPELLING)))
        if len(parts) > 1:
            extra.append(fold("".join(parts)))
            if not _UMLAUTS.isdisjoint(token):
                extra.append(fold("".join(parts).translate(_UMLAUT_SPELLING)))
    return result + extra


@lru_cache(maxsize=1)
def _stemmer() -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
    return builder.filter(tantivy.Filter.stemmer("german")).build()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """German Snowball stem of a folded word."""
    if not word:
        return word
    stems = _stemmer().analyze(word)
    return stems[0] if stems else word


def parts(word: str) -> list[str]:
    """Tails of a word that may be the later parts of a compound ("migrationsberatung" ->
    "igrationsberatung", ..., "beratung", ..., "tung")."""
    return [word[i:] for i in range(1, len(word) - MIN_PART + 1)]


def typo_budget(word: str) -> int:
    length = len(word)
    if length >= TWO_TYPOS_FROM:
        return 2
    if length >= ONE_TYPO_FROM:
        return 1
    return 0


def unique(values: Iterable[str]) -> list[str]:
    """Values in first-seen order without repeats."""
    return list(dict.fromkeys(values))


class QueryWords:
    """A user's query as words: which are needed, and the glued pairs worth trying."""

    def __init__(self, text: str) -> None:
        all_words = words(text)[:12]
        content = [w for w in all_words if w not in STOPWORDS]
        # A query of stop words only ("in der") still means something: keep them then.
        self.words: list[str] = content or all_words
        self.all_words = all_words

    @property
    def empty(self) -> bool:
        return not self.words

    def glued_pairs(self) -> list[str]:
        """Each adjacent pair written as one word ("schuldner beratung" -> "schuldnerberatung")."""
        return [a + b for a, b in zip(self.words, self.words[1:], strict=False)]

    def phrase(self) -> str:
        return " ".join(self.all_words)


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, tuple[str, ...]]:
    """Words people use for the same thing (data in synonyms.json, folded spellings)."""
    raw = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    return {word: tuple(others) for word, others in raw.items() if not word.startswith("_")}


def synonyms(word: str) -> tuple[str, ...]:
    return synonym_table().get(word, ())
