"""The directory's rows as whole records, for the open-data interfaces (the HSDS API and export).

An export must lose nothing, so each record carries every column of its table, typed. Reads
take the ids of a page of records and return their related records with one ``IN`` query per
table (in chunks), never one query per record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from piccolo.table import Table

from core.db import among
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

CHUNK = 500
R = TypeVar("R", bound=msgspec.Struct)


class OrganizationRecord(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    description: str = ""
    alternate_name: str | None = None
    email: str | None = None
    website: str | None = None
    legal_status: str | None = None
    kind: str = "other"
    created_at: datetime | None = None
    last_modified: datetime | None = None
    retired_at: datetime | None = None


class LocationRecord(msgspec.Struct, frozen=True):
    id: UUID
    organization: UUID
    name: str
    description: str = ""
    location_type: str = "physical"
    address_1: str = ""
    postal_code: str = ""
    city: str = ""
    district: str = ""
    latitude: float | None = None
    longitude: float | None = None
    transportation: str = ""
    accessibility_description: str = ""
    wheelchair_accessible: bool = False
    last_modified: datetime | None = None
    retired_at: datetime | None = None


class ServiceRecord(msgspec.Struct, frozen=True):
    id: UUID
    organization: UUID
    name: str
    alternate_name: str | None = None
    description: str = ""
    url: str | None = None
    email: str | None = None
    status: str = "active"
    interpretation_services: str = ""
    application_process: str = ""
    fees_description: str = ""
    free_of_charge: bool = True
    eligibility_description: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    wait_time: str = ""
    alert: str = ""
    assured_date: date | None = None
    assurer_email: str | None = None
    created_at: datetime | None = None
    last_modified: datetime | None = None
    retired_at: datetime | None = None


class TranslationRecord(msgspec.Struct, frozen=True):
    id: UUID
    service: UUID
    language: str
    name: str
    description: str = ""


class ServiceAtLocationRecord(msgspec.Struct, frozen=True):
    id: UUID
    service: UUID
    location: UUID
    description: str = ""


class PhoneRecord(msgspec.Struct, frozen=True):
    id: UUID
    number: str
    organization: UUID | None = None
    service: UUID | None = None
    location: UUID | None = None
    extension: str | None = None
    type: str = "voice"
    description: str = ""


class ContactRecord(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    organization: UUID | None = None
    service: UUID | None = None
    title: str = ""
    department: str = ""
    email: str | None = None
    phone: str | None = None


class LanguageRecord(msgspec.Struct, frozen=True):
    id: UUID
    service: UUID
    code: str
    note: str = ""


class TaxonomyRecord(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    description: str = ""
    uri: str | None = None
    version: str | None = None


class TaxonomyTermRecord(msgspec.Struct, frozen=True):
    id: UUID
    taxonomy: UUID
    code: str
    name: str
    parent: UUID | None = None
    name_en: str = ""
    description: str = ""


class ServiceTermRecord(msgspec.Struct, frozen=True):
    """A service's category or target group: the link of a service to a taxonomy term."""

    id: UUID
    service: UUID
    term: UUID


class CostOptionRecord(msgspec.Struct, frozen=True):
    id: UUID
    service: UUID
    option: str = ""
    amount: Decimal | None = None
    currency: str = "EUR"
    amount_description: str = ""
    valid_from: date | None = None
    valid_to: date | None = None


class RequiredDocumentRecord(msgspec.Struct, frozen=True):
    id: UUID
    service: UUID
    document: str
    uri: str | None = None


class CapacityRecord(msgspec.Struct, frozen=True):
    id: UUID
    service: UUID
    unit: str = "Plätze"
    maximum: int = 0
    available: int = 0
    waitlist_open: bool = False
    description: str = ""
    updated: datetime | None = None


class ServiceDetails(msgspec.Struct, frozen=True):
    """The child records of a page of services, each grouped by service id."""

    phones: dict[UUID, list[PhoneRecord]]
    contacts: dict[UUID, list[ContactRecord]]
    languages: dict[UUID, list[LanguageRecord]]
    cost_options: dict[UUID, list[CostOptionRecord]]
    required_documents: dict[UUID, list[RequiredDocumentRecord]]
    capacities: dict[UUID, CapacityRecord]
    terms: dict[UUID, list[ServiceTermRecord]]
    translations: dict[UUID, list[TranslationRecord]]


def as_records(rows: list[dict[str, Any]], record: type[R]) -> list[R]:
    """Rows from ``Table.select()`` as records (lax: SQLite gives 0/1 for booleans)."""
    found: list[R] = msgspec.convert(rows, list[record], strict=False)  # type: ignore[valid-type]
    return found


async def rows_where_in(
    table: type[Table], column: str, values: Iterable[Any], live_only: bool = False
) -> list[dict[str, Any]]:
    """Rows of ``table`` whose ``column`` is one of ``values`` (in chunks)."""
    wanted = list(dict.fromkeys(v for v in values if v is not None))
    found: list[dict[str, Any]] = []
    for start in range(0, len(wanted), CHUNK):
        where = among(getattr(table, column), wanted[start : start + CHUNK])
        if live_only:
            where = where & table.retired_at.is_null()  # type: ignore[attr-defined]
        found.extend(await table.select().where(where))
    return found


def _group(records: list[R], column: str) -> dict[UUID, list[R]]:
    grouped: dict[UUID, list[R]] = defaultdict(list)
    for record in records:
        parent = getattr(record, column)
        if parent is not None:
            grouped[parent].append(record)
    return dict(grouped)


async def _where_in(
    table: type[Table], record: type[R], column: str, values: Iterable[Any], live: bool = False
) -> list[R]:
    return as_records(await rows_where_in(table, column, values, live), record)


async def organizations(ids: Iterable[UUID]) -> list[OrganizationRecord]:
    return await _where_in(Organization, OrganizationRecord, "id", ids)


async def services(ids: Iterable[UUID]) -> list[ServiceRecord]:
    return await _where_in(Service, ServiceRecord, "id", ids)


async def locations(ids: Iterable[UUID], live_only: bool = False) -> list[LocationRecord]:
    return await _where_in(Location, LocationRecord, "id", ids, live_only)


async def locations_of_organizations(ids: Iterable[UUID]) -> list[LocationRecord]:
    """The live locations of these organisations."""
    return await _where_in(Location, LocationRecord, "organization", ids, live=True)


async def service_at_locations_of_services(ids: Iterable[UUID]) -> list[ServiceAtLocationRecord]:
    return await _where_in(ServiceAtLocation, ServiceAtLocationRecord, "service", ids)


async def phones_of(owner: str, ids: Iterable[UUID]) -> dict[UUID, list[PhoneRecord]]:
    """Phones of organisations, services or locations (``owner``), grouped by owner."""
    return _group(await _where_in(Phone, PhoneRecord, owner, ids), owner)


async def contacts_of(owner: str, ids: Iterable[UUID]) -> dict[UUID, list[ContactRecord]]:
    """Contacts of organisations or services (``owner``), grouped by owner."""
    return _group(await _where_in(Contact, ContactRecord, owner, ids), owner)


async def service_details(ids: list[UUID]) -> ServiceDetails:
    """Every child record of these services: one query per child table."""

    async def of(table: type[Table], record: type[R]) -> dict[UUID, list[R]]:
        return _group(await _where_in(table, record, "service", ids), "service")

    capacities = await of(Capacity, CapacityRecord)
    return ServiceDetails(
        phones=await phones_of("service", ids),
        contacts=await contacts_of("service", ids),
        languages=await of(ServiceLanguage, LanguageRecord),
        cost_options=await of(CostOption, CostOptionRecord),
        required_documents=await of(RequiredDocument, RequiredDocumentRecord),
        capacities={service: found[0] for service, found in capacities.items() if found},
        terms=await of(ServiceTerm, ServiceTermRecord),
        translations=await of(ServiceTranslation, TranslationRecord),
    )


async def taxonomies(ids: Iterable[UUID] | None = None) -> list[TaxonomyRecord]:
    """Every taxonomy (a handful), or those with these ids."""
    if ids is not None:
        return await _where_in(Taxonomy, TaxonomyRecord, "id", ids)
    return as_records(await Taxonomy.select(), TaxonomyRecord)


async def taxonomy_terms() -> list[TaxonomyTermRecord]:
    return as_records(await TaxonomyTerm.select(), TaxonomyTermRecord)


async def live_services_of_organization(organization_id: UUID) -> list[ServiceRecord]:
    """The live services of one organisation, by name."""
    rows = (
        await Service.select()
        .where((Service.organization == organization_id) & Service.retired_at.is_null())
        .order_by(Service.name)
    )
    return as_records(rows, ServiceRecord)


class NamedRecord(msgspec.Struct, frozen=True):
    """An organisation or service by name; ``organization`` is a service's provider."""

    id: UUID
    name: str
    organization: UUID | None = None


async def live_service_names(organizations: Iterable[UUID]) -> list[NamedRecord]:
    """The live services of these organisations, by name."""
    rows = await Service.select(Service.id, Service.name, Service.organization).where(
        Service.organization.is_in(list(organizations)) & Service.retired_at.is_null()
    )
    return as_records(rows, NamedRecord)


async def service_addresses(ids: list[UUID]) -> dict[UUID, list[tuple[str, str]]]:
    """(street, postcode) of each location of these services that has a street."""
    found: dict[UUID, list[tuple[str, str]]] = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        rows = await ServiceAtLocation.select(
            ServiceAtLocation.service,
            ServiceAtLocation.location.address_1,
            ServiceAtLocation.location.postal_code,
        ).where(ServiceAtLocation.service.is_in(ids[start : start + CHUNK]))
        for row in rows:
            if row["location.address_1"]:
                found[row["service"]].append(
                    (row["location.address_1"], row["location.postal_code"] or "")
                )
    return dict(found)
