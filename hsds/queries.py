"""Loading what a page of records needs, with one ``IN`` query per related table.

Every function takes the rows of a page (dicts from ``Table.select()``) and returns HSDS
records in the same order; nothing here issues a query per record.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from piccolo.table import Table

from directory.tables import (
    Capacity,
    Contact,
    CostOption,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTerm,
    ServiceTranslation,
    Taxonomy,
    TaxonomyTerm,
)
from hsds import extensions as ext
from hsds import mapping
from hsds.mapping import Doc, Row, ServiceParts
from hsds.schedules import load_schedules

CHUNK = 500


async def rows_where_in(
    table: type[Table], column: str, values: Iterable[Any], live_only: bool = False
) -> list[Row]:
    """Rows of ``table`` whose ``column`` is one of ``values`` (in chunks)."""
    wanted = list(dict.fromkeys(v for v in values if v is not None))
    found: list[Row] = []
    for start in range(0, len(wanted), CHUNK):
        where = getattr(table, column).is_in(wanted[start : start + CHUNK])
        if live_only:
            where = where & table.retired_at.is_null()  # type: ignore[attr-defined]
        found.extend(await table.select().where(where))
    return found


def _group(rows: list[Row], column: str) -> dict[uuid.UUID, list[Row]]:
    grouped: dict[uuid.UUID, list[Row]] = defaultdict(list)
    for row in rows:
        if row.get(column) is not None:
            grouped[row[column]].append(row)
    return grouped


class TaxonomyCache:
    """All taxonomies and terms (a few hundred rows), loaded once per export or request."""

    def __init__(self) -> None:
        self.taxonomies: dict[uuid.UUID, Row] = {}
        self.terms: dict[uuid.UUID, Row] = {}

    async def load(self) -> TaxonomyCache:
        self.taxonomies = {row["id"]: row for row in await Taxonomy.select()}
        self.terms = {row["id"]: row for row in await TaxonomyTerm.select()}
        return self

    def term_doc(self, term_id: uuid.UUID, *, detail: bool = False) -> Doc:
        term = self.terms[term_id]
        return mapping.term_doc(term, self.taxonomies.get(term["taxonomy"]), detail=detail)

    def taxonomy_docs(self, *, with_lotse: bool = False) -> list[Doc]:
        docs = [mapping.taxonomy_doc(row) for row in self.taxonomies.values()]
        if with_lotse:
            docs.append(ext.taxonomy())
        return sorted(docs, key=lambda doc: doc["id"])

    def depth(self, term_id: uuid.UUID) -> int:
        depth, seen = 0, {term_id}
        parent = self.terms[term_id].get("parent")
        while parent is not None and parent in self.terms and parent not in seen:
            seen.add(parent)
            depth += 1
            parent = self.terms[parent].get("parent")
        return depth

    def term_docs(self, *, with_lotse: bool = False) -> list[Doc]:
        """Every term, parents before their children (so that a reader can insert in order)."""
        ordered = sorted(self.terms, key=lambda term_id: (self.depth(term_id), str(term_id)))
        docs = [self.term_doc(term_id) for term_id in ordered]
        if with_lotse:
            docs.extend(ext.term(code) for code in sorted(ext.FIELDS))
        return docs


async def location_docs(rows: list[Row]) -> dict[uuid.UUID, Doc]:
    """Full location records by id."""
    ids = [row["id"] for row in rows]
    phones = _group(await rows_where_in(Phone, "location", ids), "location")
    schedules = await load_schedules(locations=ids)
    return {
        row["id"]: mapping.location_doc(
            row,
            phones=phones.get(row["id"], []),
            schedules=schedules.get(("location", row["id"]), []),
        )
        for row in rows
    }


async def organization_docs(rows: list[Row], *, full: bool = True) -> list[Doc]:
    if not full:
        return [mapping.organization_doc(row) for row in rows]
    ids = [row["id"] for row in rows]
    phones = _group(await rows_where_in(Phone, "organization", ids), "organization")
    contacts = _group(await rows_where_in(Contact, "organization", ids), "organization")
    location_rows = await rows_where_in(Location, "organization", ids, live_only=True)
    locations = await location_docs(location_rows)
    by_org: dict[uuid.UUID, list[Doc]] = defaultdict(list)
    for location in location_rows:
        by_org[location["organization"]].append(locations[location["id"]])
    return [
        mapping.organization_doc(
            row,
            phones=phones.get(row["id"], []),
            contacts=contacts.get(row["id"], []),
            locations=by_org.get(row["id"], []),
        )
        for row in rows
    ]


async def service_docs(
    rows: list[Row], *, full: bool = True, taxonomy: TaxonomyCache | None = None
) -> list[Doc]:
    """Service records; ``full`` adds every child record, else one-to-one fields only."""
    ids = [row["id"] for row in rows]
    orgs = {
        org["id"]: org
        for org in await rows_where_in(Organization, "id", {row["organization"] for row in rows})
    }
    if not full:
        return [
            mapping.service_doc(row, ServiceParts(orgs[row["organization"]]), full=False)
            for row in rows
        ]
    taxonomy = taxonomy or await TaxonomyCache().load()
    sals = await rows_where_in(ServiceAtLocation, "service", ids)
    location_rows = await rows_where_in(
        Location, "id", {sal["location"] for sal in sals}, live_only=True
    )
    locations = await location_docs(location_rows)
    schedules = await load_schedules(services=ids, service_at_locations=[s["id"] for s in sals])
    related = {
        name: _group(await rows_where_in(table, "service", ids), "service")
        for name, table in (
            ("phones", Phone),
            ("contacts", Contact),
            ("languages", ServiceLanguage),
            ("cost_options", CostOption),
            ("required_documents", RequiredDocument),
            ("capacities", Capacity),
            ("terms", ServiceTerm),
            ("translations", ServiceTranslation),
        )
    }
    sal_docs: dict[uuid.UUID, list[Doc]] = defaultdict(list)
    for sal in sals:
        if sal["location"] in locations:
            sal_docs[sal["service"]].append(
                mapping.service_at_location_doc(
                    sal,
                    location=locations[sal["location"]],
                    schedules=schedules.get(("service_at_location", sal["id"]), []),
                )
            )
    docs = []
    for row in rows:
        service_id = row["id"]

        def of(name: str, service_id: uuid.UUID = service_id) -> list[Row]:
            return related[name].get(service_id, [])

        capacities = of("capacities")
        parts = ServiceParts(
            organization=orgs[row["organization"]],
            phones=of("phones"),
            schedules=schedules.get(("service", service_id), []),
            service_at_locations=sal_docs.get(service_id, []),
            languages=of("languages"),
            contacts=of("contacts"),
            cost_options=of("cost_options"),
            required_documents=of("required_documents"),
            capacity=capacities[0] if capacities else None,
            term_attributes=[
                mapping.term_attribute(
                    link,
                    taxonomy.terms[link["term"]],
                    taxonomy.taxonomies.get(taxonomy.terms[link["term"]]["taxonomy"]),
                )
                for link in of("terms")
                if link["term"] in taxonomy.terms
            ],
            translations=of("translations"),
        )
        docs.append(mapping.service_doc(row, parts))
    return docs


async def service_at_location_docs(rows: list[Row], *, full: bool = True) -> list[Doc]:
    """Service-at-location records with their location (and, when ``full``, their service)."""
    location_rows = await rows_where_in(Location, "id", {row["location"] for row in rows})
    locations = await location_docs(location_rows)
    schedules = await load_schedules(service_at_locations=[row["id"] for row in rows])
    services: dict[str, Doc] = {}
    if full:
        service_rows = await rows_where_in(Service, "id", {row["service"] for row in rows})
        services = {doc["id"]: doc for doc in await service_docs(service_rows, full=False)}
    docs = []
    for row in rows:
        doc = mapping.service_at_location_doc(
            row,
            location=locations.get(row["location"]),
            schedules=schedules.get(("service_at_location", row["id"]), []),
        )
        if str(row["service"]) in services:
            doc["service"] = services[str(row["service"])]
        docs.append(doc)
    return docs
