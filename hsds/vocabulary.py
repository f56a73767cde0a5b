"""The taxonomies and terms as the HSDS API publishes them: the directory's, and Lotse's own.

Lotse's profile terms (district, free of charge, ...) are not rows of the directory but are
named by the attributes of every record; the API lists and resolves them like any other term,
so that the API and the export (`hsds.export`) show the same taxonomies and terms. A few
hundred records in all: lists are filtered and paged in memory.
"""

from __future__ import annotations

import uuid

from hsds import extensions as ext
from hsds.mapping import Doc, taxonomy_doc
from hsds.queries import TaxonomyCache


def _fold(value: object) -> str:
    return str(value or "").casefold()


def _contains(doc: Doc, text: str | None, *keys: str) -> bool:
    if not text:
        return True
    wanted = _fold(text)
    return any(wanted in _fold(doc.get(key)) for key in keys)


def _by_name(docs: list[Doc]) -> list[Doc]:
    return sorted(docs, key=lambda doc: (str(doc.get("name") or ""), doc["id"]))


def lotse_term(code: str) -> Doc:
    """A Lotse profile term as the API shows a term (with its taxonomy)."""
    return ext.term(code) | {"taxonomy_detail": ext.taxonomy()}


def taxonomies(cache: TaxonomyCache, search: str | None = None) -> list[Doc]:
    """Every taxonomy whose name or description contains ``search``, ordered by name."""
    docs = cache.taxonomy_docs(with_lotse=True)
    return _by_name([doc for doc in docs if _contains(doc, search, "name", "description")])


def terms(
    cache: TaxonomyCache,
    *,
    search: str | None = None,
    taxonomy_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    top_only: bool = False,
) -> list[Doc]:
    """Every term matching the filters (combined with AND), ordered by name."""
    docs = [cache.term_doc(term_id, detail=True) for term_id in cache.terms]
    docs += [lotse_term(code) for code in ext.FIELDS]
    wanted = []
    for doc in docs:
        if not _contains(doc, search, "name", "lotse_name_en", "code"):
            continue
        if taxonomy_id is not None and doc.get("taxonomy_id") != str(taxonomy_id):
            continue
        if parent_id is not None and doc.get("parent_id") != str(parent_id):
            continue
        if top_only and doc.get("parent_id"):
            continue
        wanted.append(doc)
    return _by_name(wanted)


def taxonomy(cache: TaxonomyCache, taxonomy_id: uuid.UUID) -> Doc | None:
    if str(taxonomy_id) == ext.TAXONOMY_ID:
        return ext.taxonomy()
    record = cache.taxonomies.get(taxonomy_id)
    return taxonomy_doc(record) if record is not None else None


def term(cache: TaxonomyCache, term_id: uuid.UUID) -> Doc | None:
    code = ext.TERM_CODES_BY_ID.get(str(term_id))
    if code is not None:
        return lotse_term(code)
    return cache.term_doc(term_id, detail=True) if term_id in cache.terms else None
