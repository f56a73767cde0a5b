"""HSDS 3.x records -> directory rows (pure: no database access).

Each ``read_*`` function adds the rows of one record (and of the records nested in it) to the
reader's bundle and returns the record's id.
"""

from __future__ import annotations

import uuid

from hsds import extensions as ext
from hsds.bundle import (
    LOCATION_TYPES,
    SERVICE_STATUSES,
    Bundle,
    Doc,
    RecordError,
    RecordReader,
    Row,
    ScheduleSet,
    detect_kind,
    optional,
    parse_date,
    parse_datetime,
    text,
)
from hsds.extension_data import kept_doc
from hsds.limits import AGE
from hsds.reader_parts import (
    accessibility_text,
    capacities,
    contacts,
    cost_options,
    documents,
    languages,
    phones,
    term_links,
    translations,
)


def read_organization(r: RecordReader, doc: Doc) -> uuid.UUID:
    org_id = r.ident(doc, "organization")
    name = text(doc, "name").strip()
    if not name:
        raise RecordError(f"organization {org_id} has no name")
    row: Row = {
        "id": org_id,
        "name": name,
        "alternate_name": optional(doc, "alternate_name"),
        "description": text(doc, "description"),
        "email": r.email(doc, "email", f"organization {org_id}"),
        "website": r.link(doc, "website", f"organization {org_id}"),
        "legal_status": optional(doc, "legal_status"),
    }
    values = ext.lotse_values(doc.get("attributes"))
    if "organization-kind" in values:
        row["kind"] = values["organization-kind"]
    for column, key in (
        ("created_at", "lotse_created_at"),
        ("last_modified", "lotse_last_modified"),
    ):
        if doc.get(key):
            row[column] = parse_datetime(doc[key])
    r.upsert("organization", row)
    r.bundle.originals.append(("organization", org_id, kept_doc(doc)))
    if "phones" in doc:
        r.children(
            "phone",
            "organization",
            org_id,
            phones(r, r.items(doc, "phones"), "organization", org_id),
        )
    if "contacts" in doc:
        r.children(
            "contact",
            "organization",
            org_id,
            contacts(r, r.items(doc, "contacts"), "organization", org_id),
        )
    for location in r.items(doc, "locations"):
        read_location(r, location, org_id)
    for service in r.items(doc, "services"):
        read_service(r, service, org_id)
    return org_id


def read_location(r: RecordReader, doc: Doc, org_id: uuid.UUID | None) -> uuid.UUID:
    location_id = r.ident(doc, "location")
    # Without an organisation the location can only update one Lotse already has.
    organization = r.ref(doc.get("organization_id"), "organization") or org_id
    location_type = text(doc, "location_type") or "physical"
    if location_type not in LOCATION_TYPES:
        r.warn(f"location {location_id}: unknown location_type {location_type!r}, read as physical")
        location_type = "physical"
    row: Row = {
        "id": location_id,
        "location_type": location_type,
        "description": text(doc, "description"),
        "transportation": text(doc, "transportation"),
    }
    for axis, limit in (("latitude", 90.0), ("longitude", 180.0)):
        value = doc.get(axis)
        if value in (None, ""):
            row[axis] = None
        elif isinstance(value, int | float) and abs(value) <= limit:
            row[axis] = float(value)
        else:
            r.warn(f"location {location_id}: {axis} {value!r} is out of range and was left out")
            row[axis] = None
    addresses = r.items(doc, "addresses")
    address = next(
        (item for item in addresses if item.get("address_type") == "physical"),
        addresses[0] if addresses else {},
    )
    if "addresses" in doc:
        row |= {
            "address_1": text(address, "address_1"),
            "postal_code": text(address, "postal_code"),
            "city": text(address, "city"),
        }
    row["name"] = text(doc, "name") or row.get("address_1") or row.get("city") or str(location_id)
    values = ext.lotse_values(doc.get("attributes"))
    if "district" in values:
        row["district"] = values["district"]
    elif "addresses" in doc:
        row["district"] = text(address, "region")
    if "wheelchair-accessible" in values:
        row["wheelchair_accessible"] = bool(ext.read_flag(values["wheelchair-accessible"]))
    elif "attributes" in doc:
        row["wheelchair_accessible"] = False
    if "accessibility" in doc:
        row["accessibility_description"] = accessibility_text(r, doc)
    if organization is not None:
        row["organization"] = organization
    if doc.get("lotse_last_modified"):
        row["last_modified"] = parse_datetime(doc["lotse_last_modified"])
    r.upsert("location", row)
    r.bundle.originals.append(("location", location_id, kept_doc(doc)))
    if "phones" in doc:
        r.children(
            "phone",
            "location",
            location_id,
            phones(r, r.items(doc, "phones"), "location", location_id),
        )
    if "schedules" in doc:
        r.bundle.schedules.append(ScheduleSet("location", location_id, r.items(doc, "schedules")))
    return location_id


def read_taxonomy(r: RecordReader, doc: Doc) -> uuid.UUID | None:
    taxonomy_id = r.ident(doc, "taxonomy")
    if str(taxonomy_id) == ext.TAXONOMY_ID:
        return None
    name = text(doc, "name").strip()
    if not name:
        raise RecordError(f"taxonomy {taxonomy_id} has no name")
    r.upsert(
        "taxonomy",
        {
            "id": taxonomy_id,
            "name": name,
            "description": text(doc, "description"),
            "uri": r.link(doc, "uri", f"taxonomy {taxonomy_id}"),
            "version": optional(doc, "version"),
        },
    )
    return taxonomy_id


def term_taxonomy_id(doc: Doc) -> uuid.UUID | None:
    """The taxonomy a term belongs to, from taxonomy_id, taxonomy_detail or the taxonomy name."""
    detail = doc.get("taxonomy_detail")
    raw = doc.get("taxonomy_id") or (detail.get("id") if isinstance(detail, dict) else None)
    if raw:
        try:
            return uuid.UUID(str(raw))
        except ValueError:
            return uuid.UUID(ext.derived_id("external", f"taxonomy:{raw}"))
    name = text(doc, "taxonomy").strip()
    return uuid.UUID(ext.derived_id("taxonomy-name", name)) if name else None


def read_term(r: RecordReader, doc: Doc) -> uuid.UUID | None:
    term_id = r.ident(doc, "taxonomy_term")
    if str(term_id) in ext.TERM_CODES_BY_ID:
        return None
    taxonomy_id = term_taxonomy_id(doc)
    if taxonomy_id is None:
        raise RecordError(f"taxonomy term {term_id} names no taxonomy")
    detail = doc.get("taxonomy_detail")
    if isinstance(detail, dict):
        read_taxonomy(r, detail)
    elif not doc.get("taxonomy_id") and doc.get("taxonomy"):
        r.upsert("taxonomy", {"id": taxonomy_id, "name": text(doc, "taxonomy"), "description": ""})
    name = text(doc, "name").strip()
    if not name:
        raise RecordError(f"taxonomy term {term_id} has no name")
    r.upsert(
        "taxonomy_term",
        {
            "id": term_id,
            "taxonomy": taxonomy_id,
            "parent": r.ref(doc.get("parent_id"), "taxonomy_term"),
            "code": text(doc, "code") or str(term_id),
            "name": name,
            "name_en": text(doc, "lotse_name_en"),
            "description": text(doc, "description"),
        },
    )
    return term_id


def _service_at_location(
    r: RecordReader, doc: Doc, service_id: uuid.UUID, org_id: uuid.UUID | None
) -> Row:
    sal_id = r.ident(doc, "service_at_location", f"{service_id}:{doc.get('location_id')}")
    location = doc.get("location")
    if isinstance(location, dict):
        location_id: uuid.UUID | None = read_location(r, location, org_id)
    else:
        location_id = r.ref(doc.get("location_id"), "location")
    if location_id is None:
        raise RecordError(f"service at location {sal_id} names no location")
    # Its own phones and contacts have no table in Lotse: they travel as extension data.
    r.bundle.originals.append(("service_at_location", sal_id, kept_doc(doc)))
    if "schedules" in doc:
        r.bundle.schedules.append(
            ScheduleSet("service_at_location", sal_id, r.items(doc, "schedules"))
        )
    return {
        "id": sal_id,
        "service": service_id,
        "location": location_id,
        "description": text(doc, "description"),
    }


_SERVICE_TEXTS = (
    "description",
    "interpretation_services",
    "application_process",
    "fees_description",
    "wait_time",
    "eligibility_description",
    "alert",
)


def read_service(r: RecordReader, doc: Doc, org_id: uuid.UUID | None = None) -> uuid.UUID:
    service_id = r.ident(doc, "service")
    name = text(doc, "name").strip()
    if not name:
        raise RecordError(f"service {service_id} has no name")
    status = text(doc, "status") or "active"
    if status not in SERVICE_STATUSES:
        raise RecordError(f"service {service_id}: status {status!r} is not an HSDS status")
    nested = doc.get("organization")
    if isinstance(nested, dict):
        org_id = read_organization(r, nested)
    else:
        org_id = r.ref(doc.get("organization_id"), "organization") or org_id
    if org_id is None:
        raise RecordError(f"service {service_id} has no organization_id")
    row: Row = {
        "id": service_id,
        "organization": org_id,
        "name": name,
        "alternate_name": optional(doc, "alternate_name"),
        "url": r.link(doc, "url", f"service {service_id}"),
        "email": r.email(doc, "email", f"service {service_id}"),
        "status": status,
        "minimum_age": r.integer(doc.get("minimum_age"), "minimum_age", AGE),
        "maximum_age": r.integer(doc.get("maximum_age"), "maximum_age", AGE),
        "assured_date": parse_date(doc.get("assured_date")),
        "assurer_email": r.email(doc, "assurer_email", f"service {service_id}"),
    }
    row |= {column: text(doc, column) for column in _SERVICE_TEXTS}
    if row["assurer_email"]:
        r.warn(f"service {service_id}: assurer_email is kept but never published (it names a "
               "person)")
    if doc.get("last_modified"):
        row["last_modified"] = parse_datetime(doc["last_modified"])
    if doc.get("lotse_created_at"):
        row["created_at"] = parse_datetime(doc["lotse_created_at"])
    costs = cost_options(r, r.items(doc, "cost_options"), service_id)
    values = ext.lotse_values(doc.get("attributes"))
    on_insert: Row = {}
    if "free-of-charge" in values:
        row["free_of_charge"] = bool(ext.read_flag(values["free-of-charge"]))
    else:
        on_insert["free_of_charge"] = not any((cost["amount"] or 0) > 0 for cost in costs)
    r.upsert("service", row, on_insert)
    r.bundle.originals.append(("service", service_id, kept_doc(doc)))

    def replace(key: str, table: str, rows: list[Row]) -> None:
        if key in doc:
            r.children(table, "service", service_id, rows)

    replace("phones", "phone", phones(r, r.items(doc, "phones"), "service", service_id))
    replace("contacts", "contact", contacts(r, r.items(doc, "contacts"), "service", service_id))
    replace("languages", "language", languages(r, r.items(doc, "languages"), service_id))
    replace("cost_options", "cost_option", costs)
    replace(
        "required_documents",
        "required_document",
        documents(r, r.items(doc, "required_documents"), service_id),
    )
    replace("capacities", "capacity", capacities(r, r.items(doc, "capacities"), service_id))
    replace(
        "lotse_translations",
        "translation",
        translations(r, r.items(doc, "lotse_translations"), service_id),
    )
    if "service_at_locations" in doc:
        sals = [
            _service_at_location(r, sal, service_id, org_id)
            for sal in r.items(doc, "service_at_locations")
        ]
        r.children("service_at_location", "service", service_id, sals)
    if "attributes" in doc:
        r.bundle.term_sets[service_id] = term_links(r, r.items(doc, "attributes"), service_id)
    if "schedules" in doc:
        r.bundle.schedules.append(ScheduleSet("service", service_id, r.items(doc, "schedules")))
    return service_id


def read_service_at_location(r: RecordReader, doc: Doc) -> uuid.UUID:
    service = doc.get("service")
    if isinstance(service, dict):
        service_id: uuid.UUID | None = read_service(r, service)
    else:
        service_id = r.ref(doc.get("service_id"), "service")
    if service_id is None:
        raise RecordError(f"service at location {doc.get('id')} names no service")
    services = r.bundle.upserted("service")
    org_id = services[-1]["organization"] if services else None
    location = doc.get("location")
    if org_id is None and isinstance(location, dict) and not location.get("organization_id"):
        raise RecordError(
            f"service at location {doc.get('id')}: the location's organization is unknown"
        )
    row = _service_at_location(r, doc, service_id, org_id)
    r.upsert("service_at_location", row)
    sal_id: uuid.UUID = row["id"]
    return sal_id


_READERS = {
    "taxonomy": read_taxonomy,
    "taxonomy_term": read_term,
    "organization": read_organization,
    "service": read_service,
    "service_at_location": read_service_at_location,
}


def read_record(doc: object, hint: str | None = None) -> Bundle:
    """One HSDS record as rows; raises RecordError when it cannot be imported."""
    if not isinstance(doc, dict):
        raise RecordError("a record must be a JSON object")
    kind = detect_kind(doc, hint)
    if kind is None:
        raise RecordError("not an HSDS record (no id, name or status)")
    label = text(doc, "name") or text(doc, "id") or kind
    reader = RecordReader(kind, uuid.UUID(int=0), label)
    record_id: uuid.UUID | None
    if kind == "location":
        record_id = read_location(reader, doc, None)
    else:
        record_id = _READERS[kind](reader, doc)
    reader.bundle.record_id = record_id or reader.ident(doc, kind)
    return reader.bundle
