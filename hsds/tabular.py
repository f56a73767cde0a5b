"""The tabular (CSV) form of HSDS, written from the same records as the JSON export.

Each HSDS object the specification gives a CSV file becomes one row in that file, with the
object's plain fields as columns and the ids of its parents as foreign keys.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, Any

# kind -> (file name, columns), as the HSDS 3.1 schemas define them.
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "organization": (
        "organizations.csv",
        (
            "id",
            "name",
            "alternate_name",
            "description",
            "email",
            "website",
            "tax_status",
            "tax_id",
            "year_incorporated",
            "legal_status",
            "logo",
            "uri",
            "parent_organization_id",
        ),
    ),
    "service": (
        "services.csv",
        (
            "id",
            "organization_id",
            "program_id",
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "interpretation_services",
            "application_process",
            "fees_description",
            "wait_time",
            "fees",
            "accreditations",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "assured_date",
            "assurer_email",
            "licenses",
            "alert",
            "last_modified",
        ),
    ),
    "location": (
        "locations.csv",
        (
            "id",
            "location_type",
            "url",
            "organization_id",
            "name",
            "alternate_name",
            "description",
            "transportation",
            "latitude",
            "longitude",
            "external_identifier",
            "external_identifier_type",
        ),
    ),
    "service_at_location": (
        "service_at_location.csv",
        (
            "id",
            "service_id",
            "location_id",
            "description",
        ),
    ),
    "phone": (
        "phones.csv",
        (
            "id",
            "location_id",
            "service_id",
            "organization_id",
            "contact_id",
            "service_at_location_id",
            "number",
            "extension",
            "type",
            "description",
        ),
    ),
    "contact": (
        "contacts.csv",
        (
            "id",
            "organization_id",
            "service_id",
            "service_at_location_id",
            "location_id",
            "name",
            "title",
            "department",
            "email",
        ),
    ),
    "language": (
        "languages.csv",
        (
            "id",
            "service_id",
            "location_id",
            "phone_id",
            "name",
            "code",
            "note",
        ),
    ),
    "address": (
        "addresses.csv",
        (
            "id",
            "location_id",
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ),
    ),
    "accessibility": (
        "accessibility.csv",
        (
            "id",
            "location_id",
            "description",
            "details",
            "url",
        ),
    ),
    "schedule": (
        "schedules.csv",
        (
            "id",
            "service_id",
            "location_id",
            "service_at_location_id",
            "valid_from",
            "valid_to",
            "dtstart",
            "timezone",
            "until",
            "count",
            "wkst",
            "freq",
            "interval",
            "byday",
            "byweekno",
            "bymonthday",
            "byyearday",
            "description",
            "opens_at",
            "closes_at",
            "schedule_link",
            "attending_type",
            "notes",
        ),
    ),
    "attribute": (
        "attributes.csv",
        (
            "id",
            "link_id",
            "taxonomy_term_id",
            "link_type",
            "link_entity",
            "value",
            "label",
        ),
    ),
    "cost_option": (
        "cost_options.csv",
        (
            "id",
            "service_id",
            "valid_from",
            "valid_to",
            "option",
            "currency",
            "amount",
            "amount_description",
        ),
    ),
    "required_document": ("required_documents.csv", ("id", "service_id", "document", "uri")),
    "service_capacity": (
        "service_capacity.csv",
        (
            "id",
            "service_id",
            "unit_id",
            "available",
            "maximum",
            "description",
            "updated",
        ),
    ),
    "unit": ("units.csv", ("id", "name", "scheme", "identifier", "uri")),
    "taxonomy": ("taxonomies.csv", ("id", "name", "description", "uri", "version")),
    "taxonomy_term": (
        "taxonomy_terms.csv",
        (
            "id",
            "code",
            "name",
            "description",
            "parent_id",
            "taxonomy",
            "language",
            "taxonomy_id",
            "term_uri",
        ),
    ),
}

# (kind of the parent, key in the parent) -> kind of the nested objects; None: not written
# here because another pass of the export writes those objects.
NESTED: dict[tuple[str, str], str | None] = {
    ("organization", "phones"): "phone",
    ("organization", "contacts"): "contact",
    ("organization", "locations"): "location",
    ("organization", "attributes"): "attribute",
    ("location", "addresses"): "address",
    ("location", "accessibility"): "accessibility",
    ("location", "phones"): "phone",
    ("location", "schedules"): "schedule",
    ("location", "attributes"): "attribute",
    ("service", "phones"): "phone",
    ("service", "schedules"): "schedule",
    ("service", "service_at_locations"): "service_at_location",
    ("service", "languages"): "language",
    ("service", "contacts"): "contact",
    ("service", "cost_options"): "cost_option",
    ("service", "required_documents"): "required_document",
    ("service", "capacities"): "service_capacity",
    ("service", "attributes"): "attribute",
    ("service", "organization"): None,
    ("service_at_location", "schedules"): "schedule",
    ("service_at_location", "location"): None,
    ("contact", "phones"): "phone",
    ("service_capacity", "unit"): "unit",
    ("service_capacity", "attributes"): "attribute",
    ("attribute", "taxonomy_term"): None,
}


# kind -> (key, kind of the nested objects) for the nested objects this pass writes
CHILDREN: dict[str, list[tuple[str, str]]] = {}
for (_parent, _key), _child in NESTED.items():
    if _child is not None:
        CHILDREN.setdefault(_parent, []).append((_key, _child))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class TabularWriter:
    """CSV files of an export, one per HSDS table, filled record by record."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.files: dict[str, IO[str]] = {}
        self.writers: dict[str, Any] = {}
        self.units: set[str] = set()
        for kind, (name, columns) in TABLES.items():
            handle = (folder / name).open("w", encoding="utf-8", newline="")
            self.files[kind] = handle
            self.writers[kind] = csv.writer(handle)
            self.writers[kind].writerow(columns)

    def write(self, kind: str, doc: dict[str, Any], parent: tuple[str, str] | None = None) -> None:
        """Write ``doc`` (an HSDS object of ``kind``) and the objects nested in it."""
        if kind == "unit":
            if doc["id"] in self.units:
                return
            self.units.add(doc["id"])
        _name, columns = TABLES[kind]
        row = dict(doc)
        if parent is not None:
            parent_kind, parent_id = parent
            row.setdefault(f"{parent_kind}_id", parent_id)
        self.writers[kind].writerow([_cell(row.get(column)) for column in columns])
        for key, child_kind in CHILDREN.get(kind, ()):
            value = doc.get(key)
            if value is None:
                continue
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    self.write(child_kind, item, (kind, doc["id"]))

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()
