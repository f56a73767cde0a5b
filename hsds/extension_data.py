"""What an import read but Lotse's tables cannot hold, kept and written back on export.

Each imported organisation, service, location and service at location is kept as it came
(without the records nested in it, which are kept on their own). The export and the API build
each record from Lotse's tables and then add from the kept record what Lotse's record lacks:
properties Lotse has no column for (a program, metadata, `address_2`, a phone's languages),
items of lists Lotse keeps only one of (addresses, capacities), and the values Lotse would
otherwise fill with its own defaults (a foreign country or state, a postal address type, a
unit's scheme). What Lotse holds always comes from Lotse, so edits made in Lotse win.
Lotse's own attributes are left out of a kept record where the source did not send them and
the value is still the one the import derived (no invented facts).
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterable
from typing import Any

from core.db import among, insert_many
from hsds import extensions as ext
from hsds.tables import ExtensionData

Doc = dict[str, Any]
KINDS = ("organization", "service", "location", "service_at_location")
# Records nested in a record, kept on their own (or rebuilt by Lotse): never copied back.
NESTED = {"organization", "services", "locations", "location", "service"}
# Lists of which Lotse keeps one item: the others come back from the kept record.
PARTIAL = {"addresses", "capacities"}
# Values Lotse writes as its defaults (Germany, NRW, the address type, a term's language):
# the source's win.
DEFAULTED = {"country", "state_province", "address_type", "language"}
ALL = {"*"}
# What Lotse's tables hold, by record kind or by the key a nested object sits under: when
# Lotse's record lacks one of these, Lotse left it out on purpose (an invalid value, an e-mail
# that is never published, a schedule it cannot express), so it is not taken from the source.
HELD: dict[str, set[str]] = {
    "organization": {"name", "alternate_name", "description", "email", "website",
                     "legal_status", "phones", "contacts", "locations"},
    "service": {"name", "alternate_name", "description", "url", "email", "status",
                "interpretation_services", "application_process", "fees_description",
                "wait_time", "eligibility_description", "minimum_age", "maximum_age",
                "assured_date", "assurer_email", "alert", "last_modified", "phones",
                "schedules", "service_at_locations", "languages", "contacts", "cost_options",
                "required_documents"},
    "location": {"name", "description", "transportation", "latitude", "longitude",
                 "location_type", "phones", "schedules", "accessibility"},
    "service_at_location": {"description", "schedules"},
    "service_at_locations": {"description", "schedules"},
    "phones": {"number", "extension", "type", "description"},
    "contacts": {"name", "title", "department", "email", "phones"},
    "languages": {"name", "code", "note"},
    "cost_options": {"valid_from", "valid_to", "option", "currency", "amount",
                     "amount_description"},
    "required_documents": {"document", "uri"},
    "capacities": {"available", "maximum", "description", "updated"},
    "addresses": {"address_1", "city", "postal_code", "region"},
    "accessibility": {"description"},
    # A contact keeps only the number of its phone: the rest comes from the source.
    "contacts.phones": {"number"},
    "attributes": {"link_entity", "link_id", "taxonomy_term_id"},
    "taxonomy_term": {"code", "name", "description", "parent_id", "taxonomy", "taxonomy_id",
                      "taxonomy_detail"},
    # Schedules are Lotse's calendars: a rule it cannot express is refused and reported.
    "schedules": ALL,
}


def kept_doc(doc: Doc) -> Doc:
    """The record as it is kept: without the records nested in it."""
    return {key: value for key, value in doc.items() if key not in NESTED}


async def save(records: Iterable[tuple[str, uuid.UUID, Doc]], source: str) -> None:
    """Keep the records read in one batch (inside its transaction); the last read wins."""
    latest = {record_id: (kind, doc) for kind, record_id, doc in records}
    if not latest:
        return
    ids = list(latest)
    await ExtensionData.delete().where(among(ExtensionData.id, ids))
    await insert_many(
        ExtensionData,
        [
            {"id": record_id, "kind": kind, "data": doc, "source": source[:1000]}
            for record_id, (kind, doc) in latest.items()
        ],
    )


async def load(ids: Iterable[str]) -> dict[str, Doc]:
    """Kept records by id (one query per 1000 ids)."""
    wanted = []
    for value in set(ids):
        try:
            wanted.append(uuid.UUID(value))
        except ValueError:
            continue
    found: dict[str, Doc] = {}
    for start in range(0, len(wanted), 1000):
        rows = await ExtensionData.select(ExtensionData.id, ExtensionData.data).where(
            among(ExtensionData.id, wanted[start : start + 1000])
        )
        for row in rows:
            data = row["data"]
            found[str(row["id"])] = json.loads(data) if isinstance(data, str) else data
    return found


async def complete(docs: Iterable[Doc], *, full: bool = True) -> None:
    """Add to each record (in place) what its kept record has and Lotse's record lacks;
    without ``full`` only one-to-one properties (a short record stays short)."""
    docs = list(docs)
    kept = await load(doc["id"] for doc in docs if isinstance(doc.get("id"), str))
    for doc in docs:
        original = kept.get(doc["id"])
        if original is None:
            continue
        if not full:
            original = {k: v for k, v in original.items() if not isinstance(v, list)}
        _drop_invented(doc, original)
        merge(doc, original, doc_kind(doc))


def doc_kind(doc: Doc) -> str:
    """The kind of a top-level record, from its shape (as Lotse writes them)."""
    if "status" in doc:
        return "service"
    if "location_type" in doc:
        return "location"
    if "service_id" in doc and "location_id" in doc:
        return "service_at_location"
    return "organization"


def merge(doc: Doc, original: Doc, context: str) -> None:
    """Add ``original``'s properties to ``doc`` where Lotse has none and holds none."""
    held = HELD.get(context, set())
    if held is ALL:
        return
    for key, value in original.items():
        if key in NESTED:
            continue
        if key not in doc:
            if key not in held:
                doc[key] = copy.deepcopy(value)
        elif key in DEFAULTED and value not in (None, ""):
            doc[key] = value
        elif isinstance(doc[key], dict) and isinstance(value, dict):
            _merge_object(key, doc[key], value)
        elif isinstance(doc[key], list) and isinstance(value, list):
            nested = f"{context}.{key}"
            doc[key] = _merge_list(key, doc[key], value, nested if nested in HELD else key)


def _merge_object(key: str, mine: Doc, theirs: Doc) -> None:
    if key == "unit" and mine.get("name") == theirs.get("name"):
        # Lotse keeps a unit by its name only; the source's unit (id, scheme, ...) is the same.
        mine.clear()
        mine.update(copy.deepcopy(theirs))
        return
    merge(mine, theirs, key)


def _merge_list(key: str, mine: list[Any], theirs: list[Any], context: str) -> list[Any]:
    if key == "accessibility" and _same_accessibility(mine, theirs):
        return copy.deepcopy(theirs)
    if key == "addresses":
        _match_kept_address(mine, theirs)
    if key == "phones":
        _match_by_number(mine, theirs)
    by_id = {item.get("id"): item for item in mine if isinstance(item, dict)}
    result = list(mine)
    for item in theirs:
        if not isinstance(item, dict):
            continue
        match = by_id.get(item.get("id"))
        if match is not None:
            merge(match, item, context)
        elif key in PARTIAL:
            result.append(copy.deepcopy(item))
    return result


def _digits(value: object) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit() or ch == "+")


def _match_by_number(mine: list[Any], theirs: list[Any]) -> None:
    """A contact's one phone has an id Lotse derived: the source's phone of that number."""
    known = {item.get("id") for item in theirs if isinstance(item, dict)}
    for item in mine:
        if not isinstance(item, dict) or item.get("id") in known:
            continue
        same = [t for t in theirs if isinstance(t, dict)
                and _digits(t.get("number")) == _digits(item.get("number"))]
        if len(same) == 1 and same[0].get("id"):
            item["id"] = same[0]["id"]


def _match_kept_address(mine: list[Any], theirs: list[Any]) -> None:
    """Lotse's one address is the one the import chose: give it back the source's id."""
    if len(mine) != 1 or not theirs:
        return
    chosen = next((a for a in theirs if a.get("address_type") == "physical"), theirs[0])
    if isinstance(chosen, dict) and mine[0].get("address_1") == (chosen.get("address_1") or ""):
        mine[0]["id"] = chosen.get("id", mine[0]["id"])


def _same_accessibility(mine: list[Any], theirs: list[Any]) -> bool:
    """Lotse joined the source's accessibility items into one text: unchanged since?"""
    if len(mine) != 1 or not theirs:
        return False
    parts = []
    for item in theirs:
        lines = [str(item.get(k) or "") for k in ("description", "details") if item.get(k)]
        parts.append("\n".join(lines))
    return bool(mine[0].get("description") == "\n\n".join(p for p in parts if p))


def _drop_invented(doc: Doc, original: Doc) -> None:
    """Lotse attributes the source did not send whose value is still the derived default."""
    defaults = _derived_defaults(original)
    for holder in _attribute_holders(doc):
        attributes = holder.get("attributes")
        if not isinstance(attributes, list):
            continue
        source_holder = _original_holder(holder, original)
        sent = set(ext.lotse_values(source_holder.get("attributes")))

        holder["attributes"] = [
            item for item in attributes if not _invented(item, sent, defaults)
        ]
        if not holder["attributes"] and "attributes" not in source_holder:
            del holder["attributes"]


def _invented(item: object, sent: set[str], defaults: dict[str, str]) -> bool:
    if not isinstance(item, dict) or not ext.is_lotse_attribute(item):
        return False
    code = ext.TERM_CODES_BY_ID.get(str(item.get("taxonomy_term_id")))
    return code not in sent and defaults.get(code or "") == item.get("value")


def _attribute_holders(doc: Doc) -> list[Doc]:
    holders = [doc]
    for capacity in doc.get("capacities") or []:
        if isinstance(capacity, dict):
            holders.append(capacity)
    return holders


def _original_holder(holder: Doc, original: Doc) -> Doc:
    if holder.get("id") == original.get("id"):
        return original
    for capacity in original.get("capacities") or []:
        if isinstance(capacity, dict) and capacity.get("id") == holder.get("id"):
            return capacity
    return {}


def _derived_defaults(original: Doc) -> dict[str, str]:
    """The values an import gives Lotse's facts when the source says nothing of them."""
    costs = original.get("cost_options") or []
    paid = any(
        isinstance(c, dict) and isinstance(c.get("amount"), int | float) and c["amount"] > 0
        for c in costs
    )
    addresses = original.get("addresses") or []
    chosen = next((a for a in addresses if a.get("address_type") == "physical"),
                  addresses[0] if addresses else {})
    defaults = {
        "organization-kind": "other",
        "free-of-charge": ext.flag(not paid),
        "waitlist-open": "false",
    }
    if isinstance(chosen, dict) and chosen.get("region"):
        defaults["district"] = str(chosen["region"])
    return defaults
