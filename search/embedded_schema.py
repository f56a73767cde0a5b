"""The tantivy schema of the embedded index and how an offer becomes a tantivy document.

All text is prepared in Python by `search.german` and stored as space-separated words, so the
index only needs tantivy's built-in tokenizers ("whitespace" and "raw"): nothing has to be
registered again after the index is opened, and the query side uses the very same words.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import msgspec
import tantivy

from search import compounds, german
from search.engine import OfferDocument, date_to_day, open_slots
from search.geo import cells_of_point

# Bump when the schema or the way documents are prepared changes: the index is then rebuilt.
SCHEMA_VERSION = 5

# Text fields for matching: (field, stem field, word-part field or None, weight).
TEXT_FIELDS: tuple[tuple[str, str, str | None, float], ...] = (
    ("title", "title_stem", "title_part", 3.0),
    ("keywords", "keywords_stem", "keywords_part", 1.0),
    ("body", "body_stem", None, 0.5),
)
# Filter values share one indexed field as "<kind>:<value>". For counting, each kind has a few
# single-valued fast columns ("slots"): tantivy counts those many times faster than multi-valued
# ones. Slot n holds an offer's n-th value (sorted); the last slot holds all the remaining ones
# combined ("fa\x1fuk"), split into values afterwards. One value per slot keeps the number of
# distinct keys (and so tantivy's per-bucket work) near the number of values, not of their
# combinations.
FACET_KINDS = {
    "categories": "category",
    "languages": "language",
    "districts": "district",
    "target_groups": "target_group",
}
# Yes/no properties, indexed as "flag:<name>" for those that hold.
FLAGS = ("free_of_charge", "barrier_free", "has_place_or_waitlist", "waitlist_open", "located")
COMBINED = "\x1f"
FACET_SLOTS = 3
# Locations whose coordinates are also kept in fast fields (offers rarely have more).
FAST_LOCATIONS = 3
NO_PLACES = -1  # sorts after every real count
NO_START = 2**40  # sorts after every real date
MAX_AGE = 200

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(OfferDocument)


def build_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    # A 64-bit number from the id: lets filters name offers without reading stored documents.
    b.add_integer_field("key", indexed=True, fast=True)
    for field, stem_field, part_field, _weight in TEXT_FIELDS:
        for name in (field, stem_field, part_field):
            if name:
                b.add_text_field(name, tokenizer_name="whitespace", index_option="basic")
    b.add_text_field("title_full", tokenizer_name="raw", index_option="basic")
    b.add_text_field("facet", tokenizer_name="raw", index_option="basic")
    for kind in FACET_KINDS.values():
        for slot in range(FACET_SLOTS):
            b.add_text_field(
                slot_field(kind, slot), tokenizer_name="raw", fast=True, index_option="basic"
            )
    b.add_integer_field("fc_flags", fast=True)
    for name in ("min_age", "max_age", "free_places", "next_start", "n_loc"):
        b.add_integer_field(name, indexed=True, fast=True)
    # The first locations, for distances without reading the stored document.
    for n in range(FAST_LOCATIONS):
        b.add_float_field(f"lat{n}", fast=True)
        b.add_float_field(f"lon{n}", fast=True)
    # Multiplies relevance scores a tiny bit (log2(2 + rank)): free places break ties.
    b.add_float_field("rank", fast=True)
    b.add_integer_field("open_slot", indexed=True)
    b.add_integer_field("geo_cell", indexed=True)
    b.add_bytes_field("doc", stored=True)
    return b.build()


def slot_field(kind: str, slot: int) -> str:
    return f"fc_{kind}_{slot}"


def slot_values(values: list[str]) -> list[str]:
    """What the slot columns of one kind hold: one value each, the rest combined in the last."""
    ordered = sorted(values)
    last = FACET_SLOTS - 1
    if len(ordered) <= FACET_SLOTS:
        return ordered
    return [*ordered[:last], COMBINED.join(ordered[last:])]


def key_of(offer_id: UUID) -> int:
    return (offer_id.int >> 64) - 2**63


def facet_value(kind: str, value: str) -> str:
    return f"{kind}:{value}"


def encode(document: OfferDocument) -> bytes:
    return _encoder.encode(document)


def decode(data: bytes) -> OfferDocument:
    return _decoder.decode(data)


def _words_of(texts: Iterable[str]) -> list[str]:
    result: list[str] = []
    for text in texts:
        if text:
            result.extend(german.index_words(text))
    return german.unique(result)


def _add_text_group(
    doc: tantivy.Document,
    field: str,
    stem_field: str,
    part_field: str | None,
    texts: Iterable[str],
) -> None:
    words = _words_of(texts)
    if not words:
        return
    doc.add_text(field, " ".join(words))
    doc.add_text(stem_field, " ".join(german.unique(german.stem(w) for w in words)))
    if part_field:
        # Tails ("beratung" in "migrationsberatung") and the words a compound is made of.
        tails = german.unique(
            [*(p for w in words for p in german.parts(w)),
             *(p for w in words for p in compounds.parts(w))]
        )
        if tails:
            doc.add_text(part_field, " ".join(tails))


def flags_of(document: OfferDocument) -> list[str]:
    held = {
        "free_of_charge": document.free_of_charge,
        "barrier_free": document.barrier_free,
        "has_place_or_waitlist": document.has_place_or_waitlist,
        "waitlist_open": document.waitlist_open,
        "located": bool(document.coordinates()),
    }
    return [name for name in FLAGS if held[name]]


def rank_of(document: OfferDocument) -> float:
    """At most 0.003: small enough never to lift an offer over a better match."""
    places = min(max(document.free_places or 0, 0), 100)
    return (0.002 if document.has_place_or_waitlist else 0.0) + places * 0.00001


def title_texts(document: OfferDocument) -> list[str]:
    return [document.name, document.alternate_name, *(t.name for t in document.translations)]


def to_tantivy(document: OfferDocument) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("id", str(document.id))
    doc.add_integer("key", key_of(document.id))
    titles = title_texts(document)
    keywords = [
        document.organization_name,
        *document.category_names,
        *document.target_group_names,
        *document.districts,
        *(loc.name for loc in document.locations),
        *(loc.city for loc in document.locations),
    ]
    body = [
        document.description,
        *(t.description for t in document.translations),
        document.cost_description,
        document.accessibility,
        *(loc.address for loc in document.locations),
    ]
    groups = zip(TEXT_FIELDS, (titles, keywords, body), strict=True)
    for (field, stem_field, part_field, _weight), texts in groups:
        _add_text_group(doc, field, stem_field, part_field, texts)
    for title in german.unique(" ".join(german.words(t)) for t in titles if t):
        doc.add_text("title_full", title)
    values = (document.categories, document.languages, document.districts, document.target_groups)
    for kind, kind_values in zip(FACET_KINDS.values(), values, strict=True):
        unique = german.unique(kind_values)
        for value in unique:
            doc.add_text("facet", facet_value(kind, value))
        for slot, held in enumerate(slot_values(unique)):
            doc.add_text(slot_field(kind, slot), held)
    flags = flags_of(document)
    for flag in flags:
        doc.add_text("facet", facet_value("flag", flag))
    doc.add_integer("fc_flags", sum(1 << FLAGS.index(flag) for flag in flags))
    doc.add_integer("min_age", document.minimum_age if document.minimum_age is not None else 0)
    doc.add_integer(
        "max_age", document.maximum_age if document.maximum_age is not None else MAX_AGE
    )
    places = document.free_places
    doc.add_integer("free_places", places if places is not None else NO_PLACES)
    start = document.next_start
    doc.add_integer("next_start", date_to_day(start) if start is not None else NO_START)
    for slot in open_slots(document.open_intervals):
        doc.add_integer("open_slot", slot)
    points = document.coordinates()
    doc.add_integer("n_loc", len(points))
    for n, (lat, lon) in enumerate(points[:FAST_LOCATIONS]):
        doc.add_float(f"lat{n}", lat)
        doc.add_float(f"lon{n}", lon)
    cells = german.unique(
        str(c) for lat, lon in document.coordinates() for c in cells_of_point(lat, lon)
    )
    for cell in cells:
        doc.add_integer("geo_cell", int(cell))
    doc.add_float("rank", rank_of(document))
    doc.add_bytes("doc", encode(document))
    return doc
