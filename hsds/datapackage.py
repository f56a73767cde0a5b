"""``datapackage.json`` of the CSV export: the HSDS tabular serialization's package descriptor.

HSDS serializes as a Frictionless Tabular Data Package: the CSV files plus a descriptor naming
each file, its fields with their types, its primary key and its foreign keys. The descriptor is
built from the same table list the CSV writer uses (``hsds.tabular.TABLES``), with the types,
formats, allowed values and required fields of the HSDS 3.1 schemas (one documented
difference: ``description`` below).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hsds import extensions as ext
from hsds.tabular import TABLES

PROFILE = "tabular-data-package"
EMAIL = {"email", "assurer_email"}
URI = {"website", "uri", "url", "schedule_link", "term_uri"}
NUMBER = {
    "year_incorporated", "minimum_age", "maximum_age", "latitude", "longitude", "extension",
    "timezone", "count", "interval", "amount", "available", "maximum",
}
DATETIME = {"last_modified", "updated"}
LOCATION_TYPES = ["physical", "postal", "virtual"]
ENUMS: dict[tuple[str, str], list[str]] = {
    ("service", "status"): ["active", "inactive", "defunct", "temporarily closed"],
    ("location", "location_type"): LOCATION_TYPES,
    ("address", "address_type"): LOCATION_TYPES,
    ("schedule", "wkst"): ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
    ("schedule", "freq"): ["WEEKLY", "MONTHLY"],
}
# HSDS requires a description of organisations, taxonomies and terms; Lotse always has the
# property but it may be empty, and CSV writes an empty text as an empty (missing) cell: so
# ``description`` is not marked required here (the JSON export has it, as "").
REQUIRED: dict[str, set[str]] = {
    "organization": {"name"},
    "service": {"name", "status"},
    "location": {"location_type"},
    "phone": {"number"},
    "address": {"address_1", "city", "state_province", "postal_code", "country", "address_type"},
    "service_capacity": {"available", "updated"},
    "unit": {"name"},
    "taxonomy": {"name"},
    "taxonomy_term": {"name"},
}
# Foreign keys whose column name does not say the table: (table, column) -> referenced table.
REFERENCES = {
    ("organization", "parent_organization_id"): "organization",
    ("taxonomy_term", "parent_id"): "taxonomy_term",
}
# Not foreign keys here: programs are not exported, link_id names a record of any table.
NO_REFERENCE = {"program_id", "link_id"}


def field(kind: str, column: str) -> dict[str, Any]:
    """The Table Schema field of one CSV column."""
    spec: dict[str, Any] = {"name": column, "type": "string"}
    if column == "id" or column.endswith("_id"):
        spec["format"] = "uuid"
    elif column in EMAIL:
        spec["format"] = "email"
    elif column in URI:
        spec["format"] = "uri"
    elif column in NUMBER:
        spec["type"] = "number"
    elif column in DATETIME:
        spec["type"] = "datetime"
    constraints: dict[str, Any] = {}
    if column == "id" or column in REQUIRED.get(kind, ()):
        constraints["required"] = True
    if (kind, column) in ENUMS:
        constraints["enum"] = ENUMS[(kind, column)]
    if constraints:
        spec["constraints"] = constraints
    return spec


def foreign_keys(kind: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    keys = []
    for column in columns:
        if column == "id" or column in NO_REFERENCE or not column.endswith("_id"):
            continue
        target = REFERENCES.get((kind, column), column.removesuffix("_id"))
        if target not in TABLES:
            continue
        keys.append({
            "fields": column,
            # A reference to the same table is written with an empty resource name.
            "reference": {"resource": "" if target == kind else target, "fields": "id"},
        })
    return keys


def descriptor() -> dict[str, Any]:
    """The package descriptor of the CSV files the tabular writer produces."""
    resources = []
    for kind, (path, columns) in TABLES.items():
        schema: dict[str, Any] = {
            "fields": [field(kind, column) for column in columns],
            "primaryKey": ["id"],
        }
        if keys := foreign_keys(kind, columns):
            schema["foreignKeys"] = keys
        resources.append({
            "name": kind,
            "path": path,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema,
        })
    return {
        "profile": PROFILE,
        "name": "hsds-lotse",
        "title": "Lotse directory as HSDS 3.1 tabular data",
        "description": "Organisations, offers, locations and taxonomies of a Lotse directory in "
        "the HSDS tabular serialization (Open Referral). Lotse profile: /hsds/profile.",
        "version": ext.HSDS_VERSION,
        "resources": resources,
    }


def write(folder: Path) -> None:
    """``datapackage.json`` beside the CSV files (sorted keys: byte-identical exports)."""
    text = json.dumps(descriptor(), ensure_ascii=False, indent=2, sort_keys=True)
    (folder / "datapackage.json").write_text(text + "\n", encoding="utf-8")
