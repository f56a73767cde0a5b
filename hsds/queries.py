"""Loading what a page of records needs, with one ``IN`` query per related table.

Every function takes the directory's records of a page and returns HSDS records in the same
order; nothing here issues a query per record. The directory and the calendars read their own
tables; this module only puts the pieces together.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from calendars import api as calendars
from directory import api as directory
from directory.api import (
    LocationRecord,
    OrganizationRecord,
    ServiceAtLocationRecord,
    ServiceRecord,
    TaxonomyRecord,
    TaxonomyTermRecord,
)
from hsds import extension_data, mapping
from hsds import extensions as ext
from hsds.mapping import Doc, ServiceParts


class TaxonomyCache:
    """All taxonomies and terms (a few hundred records), loaded once per export or request."""

    def __init__(self) -> None:
        self.taxonomies: dict[uuid.UUID, TaxonomyRecord] = {}
        self.terms: dict[uuid.UUID, TaxonomyTermRecord] = {}

    async def load(self) -> TaxonomyCache:
        self.taxonomies = {record.id: record for record in await directory.taxonomy_records()}
        self.terms = {record.id: record for record in await directory.taxonomy_term_records()}
        return self

    def term_doc(self, term_id: uuid.UUID, *, detail: bool = False) -> Doc:
        term = self.terms[term_id]
        return mapping.term_doc(term, self.taxonomies.get(term.taxonomy), detail=detail)

    def taxonomy_docs(self, *, with_lotse: bool = False) -> list[Doc]:
        docs = [mapping.taxonomy_doc(record) for record in self.taxonomies.values()]
        if with_lotse:
            docs.append(ext.taxonomy())
        return sorted(docs, key=lambda doc: doc["id"])

    def depth(self, term_id: uuid.UUID) -> int:
        depth, seen = 0, {term_id}
        parent = self.terms[term_id].parent
        while parent is not None and parent in self.terms and parent not in seen:
            seen.add(parent)
            depth += 1
            parent = self.terms[parent].parent
        return depth

    def term_docs(self, *, with_lotse: bool = False) -> list[Doc]:
        """Every term, parents before their children (so that a reader can insert in order)."""
        ordered = sorted(self.terms, key=lambda term_id: (self.depth(term_id), str(term_id)))
        docs = [self.term_doc(term_id) for term_id in ordered]
        if with_lotse:
            docs.extend(ext.term(code) for code in sorted(ext.FIELDS))
        return docs


async def location_docs(records: list[LocationRecord]) -> dict[uuid.UUID, Doc]:
    """Full location records by id."""
    ids = [record.id for record in records]
    phones = await directory.phones_of("location", ids)
    schedules = await calendars.hsds_schedules_of_owners(locations=ids)
    docs = {
        record.id: mapping.location_doc(
            record,
            phones=phones.get(record.id, []),
            schedules=schedules.get(("location", record.id), []),
        )
        for record in records
    }
    await extension_data.complete(docs.values())
    return docs


async def organization_docs(records: list[OrganizationRecord], *, full: bool = True) -> list[Doc]:
    if not full:
        short = [mapping.organization_doc(record) for record in records]
        await extension_data.complete(short, full=False)
        return short
    ids = [record.id for record in records]
    phones = await directory.phones_of("organization", ids)
    contacts = await directory.contacts_of("organization", ids)
    location_records = await directory.locations_of_organizations(ids)
    locations = await location_docs(location_records)
    by_org: dict[uuid.UUID, list[Doc]] = defaultdict(list)
    for location in location_records:
        by_org[location.organization].append(locations[location.id])
    docs = [
        mapping.organization_doc(
            record,
            phones=phones.get(record.id, []),
            contacts=contacts.get(record.id, []),
            locations=by_org.get(record.id, []),
        )
        for record in records
    ]
    await extension_data.complete(docs)
    return docs


async def service_docs(
    records: list[ServiceRecord], *, full: bool = True, taxonomy: TaxonomyCache | None = None
) -> list[Doc]:
    """Service records; ``full`` adds every child record, else one-to-one fields only."""
    ids = [record.id for record in records]
    orgs = {
        org.id: org
        for org in await directory.organization_records({r.organization for r in records})
    }
    if not full:
        short = [
            mapping.service_doc(record, ServiceParts(orgs[record.organization]), full=False)
            for record in records
        ]
        await extension_data.complete(short, full=False)
        await extension_data.complete([doc["organization"] for doc in short], full=False)
        return short
    taxonomy = taxonomy or await TaxonomyCache().load()
    sals = await directory.service_at_locations_of_services(ids)
    location_records = await directory.location_records(
        {sal.location for sal in sals}, live_only=True
    )
    locations = await location_docs(location_records)
    schedules = await calendars.hsds_schedules_of_owners(
        services=ids, service_at_locations=[sal.id for sal in sals]
    )
    details = await directory.service_details(ids)
    sal_docs: dict[uuid.UUID, list[Doc]] = defaultdict(list)
    for sal in sals:
        if sal.location in locations:
            sal_docs[sal.service].append(
                mapping.service_at_location_doc(
                    sal,
                    location=locations[sal.location],
                    schedules=schedules.get(("service_at_location", sal.id), []),
                )
            )
    docs = []
    for record in records:
        service_id = record.id
        parts = ServiceParts(
            organization=orgs[record.organization],
            phones=details.phones.get(service_id, []),
            schedules=schedules.get(("service", service_id), []),
            service_at_locations=sal_docs.get(service_id, []),
            languages=details.languages.get(service_id, []),
            contacts=details.contacts.get(service_id, []),
            cost_options=details.cost_options.get(service_id, []),
            required_documents=details.required_documents.get(service_id, []),
            capacity=details.capacities.get(service_id),
            term_attributes=[
                mapping.term_attribute(
                    link,
                    taxonomy.terms[link.term],
                    taxonomy.taxonomies.get(taxonomy.terms[link.term].taxonomy),
                )
                for link in details.terms.get(service_id, [])
                if link.term in taxonomy.terms
            ],
            translations=details.translations.get(service_id, []),
        )
        docs.append(mapping.service_doc(record, parts))
    await extension_data.complete(docs)
    await extension_data.complete([doc["organization"] for doc in docs], full=False)
    return docs


async def service_at_location_docs(
    records: list[ServiceAtLocationRecord], *, full: bool = True, full_service: bool = False
) -> list[Doc]:
    """Service-at-location records with their location (and, when ``full``, their service,
    with every nested record when ``full_service``)."""
    locations = await location_docs(
        await directory.location_records({record.location for record in records})
    )
    schedules = await calendars.hsds_schedules_of_owners(
        service_at_locations=[record.id for record in records]
    )
    services: dict[str, Doc] = {}
    if full:
        service_records = await directory.service_records({r.service for r in records})
        services = {
            doc["id"]: doc for doc in await service_docs(service_records, full=full_service)
        }
    docs = []
    for record in records:
        doc = mapping.service_at_location_doc(
            record,
            location=locations.get(record.location),
            schedules=schedules.get(("service_at_location", record.id), []),
        )
        if str(record.service) in services:
            doc["service"] = services[str(record.service)]
        docs.append(doc)
    await extension_data.complete(docs)
    return docs
