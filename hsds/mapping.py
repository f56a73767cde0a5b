"""Directory records -> HSDS 3.1 records (pure functions over the directory's record structs).

Output is deterministic (fixed key order, children sorted by id), so that two exports of the
same data are byte-identical. Empty optional values are left out rather than written as "".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

from directory.api import (
    CapacityRecord,
    ContactRecord,
    CostOptionRecord,
    LanguageRecord,
    LocationRecord,
    OrganizationRecord,
    PhoneRecord,
    RequiredDocumentRecord,
    ServiceAtLocationRecord,
    ServiceRecord,
    ServiceTermRecord,
    TaxonomyRecord,
    TaxonomyTermRecord,
    TranslationRecord,
)
from hsds import extensions as ext
from hsds.limits import LINK_SCHEMES, safe_link

Doc = dict[str, Any]

STATE_PROVINCE = "Nordrhein-Westfalen"
COUNTRY = "DE"
TERM_LANGUAGE = "de"
LOCATION_TYPES = {"physical", "postal", "virtual"}


def iso_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def web_address(value: str | None) -> str | None:
    """A URL with a scheme: HSDS wants a URI, people often type "www.example.de".

    Only http(s), mailto and tel addresses are published: a stored ``javascript:`` link from
    older imports must not reach another system as a link either.
    """
    value = safe_link(value)
    if value is None:
        return None
    return value if urlsplit(value).scheme in LINK_SCHEMES else f"https://{value}"


def number(value: Decimal | float | int | None) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


@lru_cache(maxsize=512)
def language_name(code: str) -> str:
    """The English name of a language code (ISO 639-1 or 639-3); the code when unknown."""
    try:
        name = Locale("en").languages.get(code.lower().replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        name = None
    return name or code


def _put(doc: Doc, key: str, value: object) -> None:
    """Set ``key`` unless the value is empty (None or a blank string)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    doc[key] = value


def _sorted(docs: list[Doc]) -> list[Doc]:
    return sorted(docs, key=lambda item: item["id"])


def taxonomy_doc(row: TaxonomyRecord) -> Doc:
    doc: Doc = {"id": str(row.id), "name": row.name, "description": row.description}
    _put(doc, "uri", web_address(row.uri))
    _put(doc, "version", row.version)
    return doc


def term_doc(
    row: TaxonomyTermRecord, taxonomy: TaxonomyRecord | None, *, detail: bool = False
) -> Doc:
    doc: Doc = {
        "id": str(row.id),
        "code": row.code,
        "name": row.name,
        "description": row.description,
    }
    if row.parent:
        doc["parent_id"] = str(row.parent)
    if taxonomy is not None:
        doc["taxonomy"] = taxonomy.name
        if detail:
            doc["taxonomy_detail"] = taxonomy_doc(taxonomy)
    doc["taxonomy_id"] = str(row.taxonomy)
    doc["language"] = TERM_LANGUAGE
    _put(doc, "lotse_name_en", row.name_en)
    return doc


def term_attribute(
    link: ServiceTermRecord, term: TaxonomyTermRecord, taxonomy: TaxonomyRecord | None
) -> Doc:
    """A service's category or target group (a ServiceTerm row) as an HSDS attribute."""
    return {
        "id": str(link.id),
        "link_id": str(link.service),
        "link_entity": "service",
        "taxonomy_term_id": str(term.id),
        "taxonomy_term": term_doc(term, taxonomy, detail=True),
    }


def phone_doc(row: PhoneRecord) -> Doc:
    doc: Doc = {"id": str(row.id)}
    for column in ("organization", "service", "location"):
        if getattr(row, column):
            doc[f"{column}_id"] = str(getattr(row, column))
    doc["number"] = row.number
    extension = (row.extension or "").strip()
    if extension.isdigit():
        doc["extension"] = int(extension)
    _put(doc, "type", row.type)
    _put(doc, "description", row.description)
    if extension and not extension.isdigit():
        doc["lotse_extension"] = extension
    return doc


def contact_doc(row: ContactRecord) -> Doc:
    doc: Doc = {"id": str(row.id)}
    for column in ("organization", "service"):
        if getattr(row, column):
            doc[f"{column}_id"] = str(getattr(row, column))
    doc["name"] = row.name
    _put(doc, "title", row.title)
    _put(doc, "department", row.department)
    # A contact's e-mail is a staff member's own address: the directory marks no contact as
    # public, so none is published (functional addresses travel as the offer's "email").
    phones = []
    if row.phone:
        phones.append(
            {
                "id": ext.derived_id("contact-phone", row.id),
                "contact_id": str(row.id),
                "number": row.phone,
            }
        )
    doc["phones"] = phones
    return doc


def language_doc(row: LanguageRecord) -> Doc:
    doc: Doc = {
        "id": str(row.id),
        "service_id": str(row.service),
        "name": language_name(row.code),
        "code": row.code,
    }
    _put(doc, "note", row.note)
    return doc


def cost_option_doc(row: CostOptionRecord) -> Doc:
    doc: Doc = {"id": str(row.id), "service_id": str(row.service)}
    _put(doc, "valid_from", iso_date(row.valid_from))
    _put(doc, "valid_to", iso_date(row.valid_to))
    _put(doc, "option", row.option)
    _put(doc, "currency", row.currency)
    _put(doc, "amount", number(row.amount))
    _put(doc, "amount_description", row.amount_description)
    return doc


def required_document_doc(row: RequiredDocumentRecord) -> Doc:
    doc: Doc = {
        "id": str(row.id),
        "service_id": str(row.service),
        "document": row.document,
    }
    _put(doc, "uri", web_address(row.uri))
    return doc


def capacity_doc(row: CapacityRecord) -> Doc:
    unit_id = ext.derived_id("unit", row.unit)
    doc: Doc = {
        "id": str(row.id),
        "service_id": str(row.service),
        "unit": {"id": unit_id, "name": row.unit},
        "unit_id": unit_id,
        "available": row.available,
        "maximum": row.maximum,
    }
    _put(doc, "description", row.description)
    doc["updated"] = iso_datetime(row.updated)
    doc["attributes"] = [
        ext.attribute(
            "service_capacity", row.id, "waitlist-open", ext.flag(row.waitlist_open)
        )
    ]
    return doc


def translation_doc(row: TranslationRecord) -> Doc:
    return {
        "id": str(row.id),
        "language": row.language,
        "name": row.name,
        "description": row.description or "",
    }


def organization_doc(
    row: OrganizationRecord,
    *,
    phones: list[PhoneRecord] | None = None,
    contacts: list[ContactRecord] | None = None,
    locations: list[Doc] | None = None,
) -> Doc:
    """An organisation; with ``phones``/``contacts``/``locations`` given, the full record."""
    doc: Doc = {"id": str(row.id), "name": row.name, "description": row.description}
    _put(doc, "alternate_name", row.alternate_name)
    _put(doc, "email", row.email)
    _put(doc, "website", web_address(row.website))
    _put(doc, "legal_status", row.legal_status)
    doc["lotse_created_at"] = iso_datetime(row.created_at)
    doc["lotse_last_modified"] = iso_datetime(row.last_modified)
    doc["attributes"] = [
        ext.attribute("organization", row.id, "organization-kind", row.kind or "other")
    ]
    if phones is not None:
        doc["phones"] = _sorted([phone_doc(phone) for phone in phones])
    if contacts is not None:
        doc["contacts"] = _sorted([contact_doc(contact) for contact in contacts])
    if locations is not None:
        doc["locations"] = _sorted(locations)
    return doc


def location_doc(row: LocationRecord, *, phones: list[PhoneRecord], schedules: list[Doc]) -> Doc:
    location_type = row.location_type or "physical"
    doc: Doc = {
        "id": str(row.id),
        "location_type": location_type if location_type in LOCATION_TYPES else "physical",
        "organization_id": str(row.organization),
        "name": row.name,
    }
    _put(doc, "description", row.description)
    _put(doc, "transportation", row.transportation)
    _put(doc, "latitude", row.latitude)
    _put(doc, "longitude", row.longitude)
    doc["lotse_last_modified"] = iso_datetime(row.last_modified)
    addresses = []
    if row.address_1 or row.postal_code or row.city:
        address: Doc = {
            "id": ext.derived_id("address", row.id),
            "location_id": str(row.id),
            "address_1": row.address_1 or "",
            "city": row.city or "",
        }
        _put(address, "region", row.district)
        address |= {
            "state_province": STATE_PROVINCE,
            "postal_code": row.postal_code or "",
            "country": COUNTRY,
            "address_type": doc["location_type"],
        }
        addresses.append(address)
    doc["addresses"] = addresses
    accessibility = []
    if (row.accessibility_description or "").strip():
        accessibility.append(
            {
                "id": ext.derived_id("accessibility", row.id),
                "location_id": str(row.id),
                "description": row.accessibility_description,
            }
        )
    doc["accessibility"] = accessibility
    doc["phones"] = _sorted([phone_doc(phone) for phone in phones])
    doc["schedules"] = _sorted(schedules)
    attributes = []
    if (row.district or "").strip():
        attributes.append(ext.attribute("location", row.id, "district", row.district))
    if row.wheelchair_accessible:
        attributes.append(ext.attribute("location", row.id, "wheelchair-accessible", "true"))
    doc["attributes"] = _sorted(attributes)
    return doc


def service_at_location_doc(
    row: ServiceAtLocationRecord, *, location: Doc | None, schedules: list[Doc]) -> Doc:
    doc: Doc = {
        "id": str(row.id),
        "service_id": str(row.service),
        "location_id": str(row.location),
    }
    _put(doc, "description", row.description)
    doc["schedules"] = _sorted(schedules)
    if location is not None:
        doc["location"] = location
    return doc


_SERVICE_TEXTS = (
    "interpretation_services",
    "application_process",
    "fees_description",
    "wait_time",
    "eligibility_description",
)


@dataclass
class ServiceParts:
    """The related records of one service, already mapped where they stand alone."""

    organization: OrganizationRecord
    phones: list[PhoneRecord] = field(default_factory=list)
    schedules: list[Doc] = field(default_factory=list)
    service_at_locations: list[Doc] = field(default_factory=list)
    languages: list[LanguageRecord] = field(default_factory=list)
    contacts: list[ContactRecord] = field(default_factory=list)
    cost_options: list[CostOptionRecord] = field(default_factory=list)
    required_documents: list[RequiredDocumentRecord] = field(default_factory=list)
    capacity: CapacityRecord | None = None
    term_attributes: list[Doc] = field(default_factory=list)
    translations: list[TranslationRecord] = field(default_factory=list)


def service_doc(row: ServiceRecord, parts: ServiceParts, *, full: bool = True) -> Doc:
    """A service: one-to-one fields (and its organisation); with ``full``, every child too."""
    doc: Doc = {
        "id": str(row.id),
        "organization_id": str(row.organization),
        "name": row.name,
    }
    _put(doc, "alternate_name", row.alternate_name)
    _put(doc, "description", row.description)
    _put(doc, "url", web_address(row.url))
    _put(doc, "email", row.email)
    doc["status"] = row.status or "active"
    for column in _SERVICE_TEXTS:
        _put(doc, column, getattr(row, column))
    _put(doc, "minimum_age", row.minimum_age)
    _put(doc, "maximum_age", row.maximum_age)
    _put(doc, "assured_date", iso_date(row.assured_date))
    # assurer_email names the staff member who confirmed the listing: never published.
    _put(doc, "alert", row.alert)
    doc["last_modified"] = iso_datetime(row.last_modified)
    doc["lotse_created_at"] = iso_datetime(row.created_at)
    doc["organization"] = organization_doc(parts.organization)
    if not full:
        return doc
    doc["phones"] = _sorted([phone_doc(phone) for phone in parts.phones])
    doc["schedules"] = _sorted(parts.schedules)
    doc["service_at_locations"] = _sorted(parts.service_at_locations)
    doc["languages"] = _sorted([language_doc(language) for language in parts.languages])
    doc["contacts"] = _sorted([contact_doc(contact) for contact in parts.contacts])
    doc["cost_options"] = _sorted([cost_option_doc(option) for option in parts.cost_options])
    doc["required_documents"] = _sorted(
        [required_document_doc(document) for document in parts.required_documents]
    )
    doc["capacities"] = [capacity_doc(parts.capacity)] if parts.capacity else []
    attributes = [
        *parts.term_attributes,
        ext.attribute(
            "service", row.id, "free-of-charge", ext.flag(row.free_of_charge)
        ),
    ]
    doc["attributes"] = _sorted(attributes)
    doc["lotse_translations"] = _sorted(
        [translation_doc(translation) for translation in parts.translations]
    )
    return doc
