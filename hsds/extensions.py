"""How Lotse fields without an HSDS property travel in HSDS documents.

Plain facts (district, wheelchair access, kind of organisation, free of charge, waitlist open)
are HSDS attributes whose taxonomy term comes from a small "Lotse" taxonomy, so that any HSDS
reader can show them. Structured data (translations, time stamps, English term names) travels
in extra properties prefixed ``lotse_``, which HSDS permits.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

# Fixed so that every Lotse installation derives the same identifiers.
NAMESPACE = uuid.UUID("6f1c1b7e-3d0a-5b8e-9c41-0b7d2a4e8f10")
PREFIX = "lotse_"
HSDS_VERSION = "3.1"


def derived_id(kind: str, owner: object) -> str:
    """A stable identifier for an HSDS object Lotse keeps inside another row (e.g. an address)."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{owner}"))


TAXONOMY_ID = derived_id("taxonomy", "lotse")

# code -> (entity the attribute belongs to, English label, description)
FIELDS: dict[str, tuple[str, str, str]] = {
    "district": (
        "location",
        "District",
        "The district (Stadtteil) of the city the location is in.",
    ),
    "wheelchair-accessible": (
        "location",
        "Wheelchair accessible",
        "true when the location can be reached and used in a wheelchair.",
    ),
    "organization-kind": (
        "organization",
        "Kind of organisation",
        "The kind of network member: welfare, public_office, education, volunteer, club, other.",
    ),
    "free-of-charge": (
        "service",
        "Free of charge",
        "true when the offer costs the participant nothing.",
    ),
    "waitlist-open": (
        "service_capacity",
        "Waitlist open",
        "true when the offer takes new people onto its waitlist.",
    ),
}


@lru_cache(maxsize=32)
def term_id(code: str) -> str:
    return derived_id("lotse-term", code)


TERM_CODES_BY_ID = {term_id(code): code for code in FIELDS}


def taxonomy() -> dict[str, Any]:
    return {
        "id": TAXONOMY_ID,
        "name": "Lotse",
        "description": "Properties of Lotse offers that HSDS has no field for; "
        "the attribute value carries the property's value.",
        "version": "1",
    }


def term(code: str) -> dict[str, Any]:
    _entity, label, description = FIELDS[code]
    return {
        "id": term_id(code),
        "code": code,
        "name": label,
        "description": description,
        "taxonomy": "Lotse",
        "taxonomy_id": TAXONOMY_ID,
        "language": "en",
    }


def attribute(entity: str, link_id: object, code: str, value: str) -> dict[str, Any]:
    """A Lotse property as an attribute; its term is in the taxonomy files and the profile."""
    return {
        "id": derived_id(f"attribute:{code}", link_id),
        "link_id": str(link_id),
        "link_entity": entity,
        "link_type": "lotse",
        "taxonomy_term_id": term_id(code),
        "value": value,
        "label": FIELDS[code][1],
    }


def flag(value: bool) -> str:
    return "true" if value else "false"


def read_flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes"}:
        return True
    if text in {"false", "0", "no"}:
        return False
    return None


def lotse_values(attributes: object) -> dict[str, str]:
    """The Lotse properties among a record's attributes, by code."""
    found: dict[str, str] = {}
    if not isinstance(attributes, list):
        return found
    for item in attributes:
        if not isinstance(item, dict):
            continue
        embedded = item.get("taxonomy_term")
        term_ref = item.get("taxonomy_term_id") or (
            embedded.get("id") if isinstance(embedded, dict) else None
        )
        code = TERM_CODES_BY_ID.get(str(term_ref)) if term_ref else None
        if code is not None and item.get("value") is not None:
            found[code] = str(item["value"])
    return found


def is_lotse_attribute(item: dict[str, Any]) -> bool:
    embedded = item.get("taxonomy_term")
    term_ref = item.get("taxonomy_term_id") or (
        embedded.get("id") if isinstance(embedded, dict) else None
    )
    return str(term_ref) in TERM_CODES_BY_ID


def profile() -> dict[str, Any]:
    """A description of the Lotse profile: what Lotse adds to HSDS and where."""
    return {
        "name": "Lotse",
        "hsds_version": HSDS_VERSION,
        "description": "HSDS 3.1 as published by Lotse, the partner-network directory of a "
        "municipal integration management. Records are plain HSDS; Lotse adds the "
        "attributes and extra properties below.",
        "attributes": [
            {
                "code": code,
                "entity": entity,
                "label": label,
                "description": description,
                "taxonomy_term_id": term_id(code),
            }
            for code, (entity, label, description) in FIELDS.items()
        ],
        "taxonomy": taxonomy(),
        "extra_properties": {
            "organization.lotse_created_at": "When the organisation was added (date-time).",
            "organization.lotse_last_modified": "When the organisation last changed (date-time).",
            "location.lotse_last_modified": "When the location last changed (date-time).",
            "service.lotse_created_at": "When the offer was added (date-time).",
            "service.lotse_translations": "Name and description of the offer in other "
            "languages: a list of {id, language (ISO 639-1), name, description}.",
            "taxonomy_term.lotse_name_en": "The English name of a German taxonomy term.",
            "phone.lotse_extension": "An extension that is not a plain number.",
        },
    }
