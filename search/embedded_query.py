"""Builds tantivy queries from a `SearchQuery` in code: user text is never parsed as syntax.

Ranking of a query word, best first: exact word > same stem (or synonym) > prefix of a word >
word with typos > part of a longer word; a hit in the title counts more than one in the
keywords (provider, categories, target groups, district), which counts more than one in the
description. Each word adds the values of its matches, so offers matching more words rank
higher; a title equal to the whole query adds a bonus, and among equal scores offers with a
free place come first (the engine weighs scores by the "rank" field).
"""

from __future__ import annotations

from collections.abc import Sequence

import tantivy

from search import compounds, german
from search.embedded_schema import FACET_KINDS, MAX_AGE, TEXT_FIELDS, facet_value
from search.engine import SearchQuery, slots_of

Q = tantivy.Query
Occur = tantivy.Occur

EXACT = 100.0
STEM = 60.0
PREFIX = 40.0
TYPO = 20.0
PART = 10.0
WHOLE_TITLE_BONUS = 50.0


# tantivy's term set query costs about as much as looking up a thousand single terms, however
# few it holds: fewer terms than this are looked up one by one.
SEPARATE_TERMS = 1000


def one_of(schema: tantivy.Schema, field: str, values: Sequence[str | int]) -> tantivy.Query:
    """Documents holding any of the values in the field (matches only, for filters and
    constant scores)."""
    if len(values) == 1:
        return Q.term_query(schema, field, values[0])
    if len(values) <= SEPARATE_TERMS:
        return Q.boolean_query([(Occur.Should, Q.term_query(schema, field, v)) for v in values])
    return Q.term_set_query(schema, field, list(values))


def _const(query: tantivy.Query, score: float) -> tantivy.Query:
    return Q.const_score_query(query, score)


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    return Q.boolean_query([(Occur.Should, q) for q in queries])


def _prefix(schema: tantivy.Schema, field: str, text: str) -> tantivy.Query:
    return Q.fuzzy_term_query(schema, field, text, distance=0, prefix=True)


class TextQueryBuilder:
    """Turns the words of a query into tantivy queries, skipping lookups that cannot match."""

    def __init__(
        self, schema: tantivy.Schema, searcher: tantivy.Searcher, matching: bool = False
    ) -> None:
        self.schema = schema
        self.searcher = searcher
        # For counting (facets) only which offers match counts, not how well: lookups whose
        # matches another lookup already finds are left out.
        self.matching = matching

    def _exists(self, field: str, term: str) -> bool:
        return self.searcher.doc_freq(field, term) > 0

    def _in_field(
        self,
        word: str,
        last: bool,
        fields: tuple[str, str, str | None, float],
        loose: bool,
    ) -> list[tantivy.Query]:
        field, stem_field, part_field, weight = fields
        schema = self.schema
        exact = stem = prefix = fuzzy = part = None
        if self._exists(field, word):
            exact = _const(Q.term_query(schema, field, word), EXACT * weight)
        stems = german.unique([german.stem(word), *(german.stem(s) for s in german.synonyms(word))])
        stems = [s for s in stems if self._exists(stem_field, s)]
        if stems:
            stem = _const(one_of(schema, stem_field, stems), STEM * weight)
        if loose:
            # Prefixes: always for the word being typed; for earlier words only when long
            # enough to say something. Short prefixes are not looked up in long descriptions.
            if (last and len(word) >= 2 and (len(word) >= 3 or part_field)) or len(word) >= 4:
                prefix = _const(_prefix(schema, field, word), PREFIX * weight)
            typos = german.typo_budget(word)
            # Descriptions (the largest field, so the dearest lookup) are searched for typos
            # only when the word itself is not in them.
            if typos and not (part_field is None and (exact or stem)):
                lookup = Q.fuzzy_term_query(schema, field, word, distance=typos, prefix=last)
                fuzzy = _const(lookup, TYPO * weight)
            if part_field:
                piece = german.stem(word)
                piece = piece if len(piece) >= german.MIN_PART else word
                if len(piece) >= german.MIN_PART:
                    part = _const(_prefix(schema, part_field, piece), PART * weight)
        if self.matching and fuzzy is not None:
            # The typo lookup also finds the word itself, and while typing its prefixes.
            exact = None
            prefix = None if last else prefix
        return [q for q in (exact, stem, prefix, fuzzy, part) if q is not None]

    def word(self, word: str, last: bool, loose: bool = True) -> tantivy.Query | None:
        """Any match of one word, scored by its best kind and field; None if nothing can match.

        Without `loose`, only exact words and stems count (for glued pairs and stop words)."""
        alternatives = [
            q for fields in TEXT_FIELDS for q in self._in_field(word, last, fields, loose)
        ]
        if not alternatives:
            return None
        # A sum, not a maximum (which tantivy computes far more slowly): an exact word is also
        # a stem, prefix and typo match, so the sums keep the order of the match kinds.
        return Q.boolean_query([(Occur.Should, q) for q in alternatives])

    def _in_index(self, glued: str) -> bool:
        stem = german.stem(glued)
        for field, stem_field, part_field, _weight in TEXT_FIELDS:
            if self._exists(field, glued) or self._exists(stem_field, stem):
                return True
            if part_field and self._exists(part_field, glued):
                return True
        return False

    def _compound(self, word: str) -> tantivy.Query | None:
        """"wohnungsberatung" as "wohnung" and "beratung", when every part can match."""
        found = [self.word(part, last=False) for part in compounds.parts(word)]
        if not found or any(q is None for q in found):
            return None
        return Q.boolean_query([(Occur.Must, q) for q in found if q is not None])

    def text(self, text: str, every_word: bool = True) -> tantivy.Query | None:
        """The matching part of a query, or None when the text has no words.

        With `every_word` every word must match (or be part of a glued pair that matches);
        without, any word may."""
        parsed = german.QueryWords(text)
        if parsed.empty:
            return None
        # A query that does not end in a space is still being typed: its last word may be a
        # prefix or have a typo in what was typed so far.
        ends_typing = not text[-1:].isspace()
        words = parsed.words
        last = len(words) - 1
        single = [self.word(w, ends_typing and i == last) for i, w in enumerate(words)]
        # "schuldner beratung" also tries "schuldnerberatung", where the index has that word.
        glued: list[tantivy.Query | None] = [None] * len(words)
        for i, joined in enumerate(parsed.glued_pairs()):
            if self._in_index(joined):
                glued[i] = self.word(joined, last=False, loose=False)
        required: list[tuple[tantivy.Occur, tantivy.Query]] = []
        occur = Occur.Must if every_word else Occur.Should
        for i in range(len(words)):
            # A compound no offer has ("wohnungsberatung") also matches by its parts.
            split = None if self._in_index(words[i]) else self._compound(words[i])
            options = [
                q for q in (single[i], glued[i], glued[i - 1] if i else None, split) if q
            ]
            if not options:
                if every_word:
                    return Q.empty_query()
                continue
            choice = options[0] if len(options) == 1 else _any(options)
            required.append((occur, choice))
        if not required:
            return Q.empty_query()
        if every_word and len(words) == 2 and glued[0] is not None and single[0] and single[1]:
            # Two words: both, or the two written as one (looked up once, not per word).
            both_words = Q.boolean_query([(Occur.Must, single[0]), (Occur.Must, single[1])])
            required = [(Occur.Must, _any([both_words, glued[0]]))]
        if self.matching:
            return Q.boolean_query(required)
        clauses = [(Occur.Must, Q.boolean_query(required))]
        # Stop words ("für", "und") are left out: nearly every description has them, so they
        # cost much and say little; a title written exactly as typed still gets its bonus.
        whole = Q.term_query(self.schema, "title_full", parsed.phrase())
        clauses.append((Occur.Should, _const(whole, WHOLE_TITLE_BONUS)))
        return Q.boolean_query(clauses)


def filter_clauses(schema: tantivy.Schema, query: SearchQuery) -> list[tantivy.Query]:
    """The filters of a query (all must hold); the geo radius is handled by the engine."""
    clauses: list[tantivy.Query] = []
    for name, values in (
        ("categories", query.categories),
        ("languages", query.languages),
        ("districts", query.districts),
        ("target_groups", query.target_groups),
    ):
        if values:
            kind = FACET_KINDS[name]
            terms = [facet_value(kind, v) for v in values]
            clauses.append(one_of(schema, "facet", terms))
    for flag, wanted in (
        ("free_of_charge", query.free_of_charge),
        ("barrier_free", query.barrier_free),
        ("has_place_or_waitlist", query.has_place_or_waitlist),
    ):
        if wanted:
            clauses.append(Q.term_query(schema, "facet", facet_value("flag", flag)))
    if query.age is not None:
        integer = tantivy.FieldType.Integer
        clauses.append(
            Q.range_query(schema, "min_age", integer, lower_bound=0, upper_bound=query.age)
        )
        clauses.append(
            Q.range_query(schema, "max_age", integer, lower_bound=query.age, upper_bound=MAX_AGE)
        )
    if query.open_at is not None:
        clauses.append(Q.term_set_query(schema, "open_slot", slots_of(query.open_at)))
    return clauses


def combine(matching: tantivy.Query | None, filters: Sequence[tantivy.Query]) -> tantivy.Query:
    """Text (scored) and filters (not scored) in one query."""
    if matching is None and not filters:
        return Q.all_query()
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    clauses.append((Occur.Must, matching if matching is not None else Q.all_query()))
    clauses.extend((Occur.Must, _const(f, 0.0)) for f in filters)
    return Q.boolean_query(clauses)
