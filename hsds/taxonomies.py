"""Which imported taxonomy terms Lotse knows, and what happens to the others.

A term is known when Lotse has its id, when a review decision maps it, or when its taxonomy
is known (same id, name or URI) and has a term with the same code. Terms of taxonomies Lotse
does not know go to the review list, unless the import adopts unknown taxonomies.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from directory import api as directory
from hsds import extensions as ext
from hsds.bundle import Bundle, ChildSet, Doc, RecordError, RecordReader, TermLink, Upsert
from hsds.reader import read_term, term_taxonomy_id


@dataclass
class ReviewEntry:
    """A term that needs a person's decision, with the offers that carry it."""

    term_id: uuid.UUID
    term: Doc
    links: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)


def _fold(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


class TermResolver:
    def __init__(self, adopt: bool) -> None:
        self.adopt = adopt
        self.taxonomies: dict[uuid.UUID, dict[str, Any]] = {}
        self.taxonomy_by_name: dict[str, uuid.UUID] = {}
        self.taxonomy_by_uri: dict[str, uuid.UUID] = {}
        self.terms: set[uuid.UUID] = set()
        self.term_by_code: dict[tuple[uuid.UUID, str], uuid.UUID] = {}
        self.aliases: dict[uuid.UUID, uuid.UUID] = {}
        self.taxonomy_aliases: dict[uuid.UUID, uuid.UUID] = {}
        self.unknown_taxonomies: dict[uuid.UUID, str] = {}
        # external term id -> local term id, or None when dismissed (from the review list)
        self.decisions: dict[uuid.UUID, uuid.UUID | None] = {}

    async def load(self) -> None:
        for taxonomy in await directory.taxonomy_records():
            self.add_taxonomy({"id": taxonomy.id, "name": taxonomy.name, "uri": taxonomy.uri})
        for term in await directory.taxonomy_term_records():
            self.add_term(term.id, term.taxonomy, term.code)

    def add_taxonomy(self, row: dict[str, Any]) -> None:
        self.taxonomies[row["id"]] = row
        self.taxonomy_by_name.setdefault(_fold(row["name"]), row["id"])
        if row.get("uri"):
            self.taxonomy_by_uri.setdefault(row["uri"], row["id"])

    def add_term(self, term_id: uuid.UUID, taxonomy_id: uuid.UUID, code: str) -> None:
        self.terms.add(term_id)
        self.term_by_code.setdefault((taxonomy_id, code), term_id)

    def local_taxonomy(self, row: dict[str, Any]) -> uuid.UUID | None:
        if row["id"] in self.taxonomies:
            return uuid.UUID(str(row["id"]))
        if row["id"] in self.taxonomy_aliases:
            return self.taxonomy_aliases[row["id"]]
        if row.get("uri") and row["uri"] in self.taxonomy_by_uri:
            return self.taxonomy_by_uri[row["uri"]]
        return self.taxonomy_by_name.get(_fold(row.get("name")))

    def local_term(self, term_id: uuid.UUID) -> uuid.UUID | None:
        if term_id in self.terms:
            return term_id
        return self.aliases.get(term_id) or self.decisions.get(term_id)

    def settle_taxonomy(self, upsert: Upsert, bundle: Bundle) -> Upsert | None:
        """Keep a taxonomy row to write, or drop it (known under another id, or unknown)."""
        row = upsert.row
        local = self.local_taxonomy(row)
        if local == row["id"]:
            return upsert
        if local is not None:
            self.taxonomy_aliases[row["id"]] = local
            return None
        if self.adopt:
            self.add_taxonomy(row)
            return upsert
        self.unknown_taxonomies[row["id"]] = row["name"]
        return None

    def settle_term(
        self, upsert: Upsert, taxonomy: dict[str, Any] | None, bundle: Bundle
    ) -> tuple[Upsert | None, bool]:
        """(row to write or None, whether the term needs review)."""
        row = upsert.row
        known = row["id"] in self.terms
        if not known and self.local_term(row["id"]):
            return None, False
        local_taxonomy = self.local_taxonomy(taxonomy or {"id": row["taxonomy"]})
        if local_taxonomy is None and not known:
            if not self.adopt:
                return None, True
            local_taxonomy = row["taxonomy"]
        if not known:
            existing = self.term_by_code.get((local_taxonomy, row["code"]))  # type: ignore[arg-type]
            if existing is not None:
                self.aliases[row["id"]] = existing
                return None, False
        if local_taxonomy is None:
            del row["taxonomy"]
        else:
            row["taxonomy"] = local_taxonomy
        if row.get("parent") is not None:
            # Checked in finish_parents: the parent may come later in the same batch.
            row["parent"] = self.local_term(row["parent"]) or row["parent"]
        if not known and local_taxonomy is not None:
            self.add_term(row["id"], local_taxonomy, row["code"])
        return upsert, False

    def finish_parents(self, bundles: list[Bundle]) -> None:
        """Terms whose parent is neither in Lotse nor in this batch become top terms."""
        for bundle in bundles:
            for upsert in bundle.upserts:
                parent = upsert.row.get("parent") if upsert.table == "taxonomy_term" else None
                if parent is not None and parent not in self.terms:
                    bundle.warnings.append(
                        f"taxonomy term {upsert.row.get('code')}: its parent {parent} is not "
                        "known; stored as a top term"
                    )
                    upsert.row["parent"] = None

    def settle_bundle(self, bundle: Bundle, review: dict[uuid.UUID, ReviewEntry]) -> None:
        """Filter the bundle's taxonomy rows and turn its term attributes into links."""
        kept: list[Upsert] = []
        taxonomies = {u.row["id"]: u.row for u in bundle.upserts if u.table == "taxonomy"}
        for upsert in bundle.upserts:
            if upsert.table == "taxonomy":
                if (settled := self.settle_taxonomy(upsert, bundle)) is not None:
                    kept.append(settled)
            elif upsert.table == "taxonomy_term":
                settled_term, needs_review = self.settle_term(
                    upsert, taxonomies.get(upsert.row["taxonomy"]), bundle
                )
                if settled_term is not None:
                    kept.append(settled_term)
                if needs_review:
                    doc = _review_doc(upsert.row, taxonomies.get(upsert.row["taxonomy"]))
                    review.setdefault(upsert.row["id"], ReviewEntry(upsert.row["id"], doc))
            else:
                kept.append(upsert)
        bundle.upserts = kept
        for service_id, links in bundle.term_sets.items():
            rows = []
            seen: set[uuid.UUID] = set()
            for link in links:
                local = self._resolve_link(link, bundle, kept, review, service_id)
                if local is not None and local not in seen:
                    seen.add(local)
                    rows.append({"id": link.attribute_id, "service": service_id, "term": local})
            bundle.children.append(ChildSet("service_term", "service", service_id, rows))

    def _resolve_link(
        self,
        link: TermLink,
        bundle: Bundle,
        kept: list[Upsert],
        review: dict[uuid.UUID, ReviewEntry],
        service_id: uuid.UUID,
    ) -> uuid.UUID | None:
        local = self.local_term(link.term_id)
        if local is not None or link.term_id in self.decisions:
            return local
        if link.term is not None:
            reader = RecordReader("taxonomy_term", link.term_id, "")
            try:
                read_term(reader, link.term)
            except RecordError as error:
                bundle.warnings.append(f"service {service_id}: {error}")
                return None
            nested = Bundle("taxonomy_term", link.term_id, "", reader.bundle.upserts)
            self.settle_bundle(nested, review)
            if link.term_id in review and not review[link.term_id].term:
                review[link.term_id].term = link.term
            kept[:0] = nested.upserts
            local = self.local_term(link.term_id)
            if local is not None:
                return local
        entry = review.setdefault(link.term_id, ReviewEntry(link.term_id, link.term or {}))
        if not entry.term and link.term:
            entry.term = link.term
        entry.links.append((service_id, link.attribute_id))
        return None


def _review_doc(row: dict[str, Any], taxonomy: dict[str, Any] | None) -> Doc:
    """A received term as HSDS, for the review list (from the row read from it)."""
    doc: Doc = {
        "id": str(row["id"]),
        "code": row["code"],
        "name": row["name"],
        "description": row.get("description") or "",
        "taxonomy_id": str(row["taxonomy"]),
    }
    if row.get("parent"):
        doc["parent_id"] = str(row["parent"])
    if taxonomy is not None:
        doc["taxonomy"] = taxonomy["name"]
        doc["taxonomy_detail"] = {
            key: str(value) if isinstance(value, uuid.UUID) else value
            for key, value in taxonomy.items()
            if value is not None
        }
    return doc


def taxonomy_of(doc: Doc) -> dict[str, Any]:
    """Name, URI and id of the taxonomy a received term names (for the review list)."""
    detail = doc.get("taxonomy_detail")
    if not isinstance(detail, dict):
        detail = {}
    taxonomy_id = term_taxonomy_id(doc)
    return {
        "id": taxonomy_id,
        "name": str(detail.get("name") or doc.get("taxonomy") or ""),
        "uri": detail.get("uri"),
        "is_lotse": str(taxonomy_id) == ext.TAXONOMY_ID,
    }
