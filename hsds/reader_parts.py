"""Readers of the child records of organisations, locations and services."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from hsds import extensions as ext
from hsds.bundle import (
    Doc,
    RecordReader,
    Row,
    TermLink,
    parse_date,
    parse_datetime,
    phone_number,
    text,
)
from hsds.limits import AMOUNT, PLACES, number_problem


def phones(r: RecordReader, docs: list[Doc], parent: str, parent_id: uuid.UUID) -> list[Row]:
    rows = []
    for index, doc in enumerate(docs):
        number = phone_number(text(doc, "number"))
        if not number:
            r.warn(f"a phone of {parent} {parent_id} has no number and was left out")
            continue
        if number != text(doc, "number").strip():
            r.warn(f"phone {doc.get('id')}: number {text(doc, 'number')[:60]!r} read as "
                   f"{number!r}")
        extension = doc.get("lotse_extension") or doc.get("extension")
        if isinstance(extension, float) and extension.is_integer():
            extension = int(extension)
        rows.append(
            {
                "id": r.ident(doc, "phone", f"{parent_id}:{index}"),
                parent: parent_id,
                "number": number,
                "extension": str(extension) if extension not in (None, "") else None,
                "type": text(doc, "type"),
                "description": text(doc, "description"),
            }
        )
    return rows


def contacts(r: RecordReader, docs: list[Doc], parent: str, parent_id: uuid.UUID) -> list[Row]:
    rows = []
    for index, doc in enumerate(docs):
        numbers = [phone_number(text(p, "number")) for p in r.items(doc, "phones")]
        numbers = [number for number in numbers if number]
        if len(numbers) > 1:
            r.warn(f"contact {doc.get('id')}: only the first of {len(numbers)} phones is kept")
        if text(doc, "email"):
            r.warn(f"contact {doc.get('id')}: its e-mail is kept but never published (a "
                   "contact's address is a person's own)")
        rows.append(
            {
                "id": r.ident(doc, "contact", f"{parent_id}:{index}"),
                parent: parent_id,
                "name": text(doc, "name"),
                "title": text(doc, "title"),
                "department": text(doc, "department"),
                "email": r.email(doc, "email", f"contact of {parent} {parent_id}"),
                "phone": numbers[0] if numbers else None,
            }
        )
    return rows


def languages(r: RecordReader, docs: list[Doc], service_id: uuid.UUID) -> list[Row]:
    rows = []
    for index, doc in enumerate(docs):
        code = text(doc, "code").strip()
        if not code:
            r.warn(f"service {service_id}: language {doc.get('name')!r} has no code; left out")
            continue
        rows.append(
            {
                "id": r.ident(doc, "language", f"{service_id}:{index}"),
                "service": service_id,
                "code": code,
                "note": text(doc, "note"),
            }
        )
    return rows


def amount(r: RecordReader, value: object, service_id: uuid.UUID) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)[:100])
        problem = number_problem(float(number), *AMOUNT)
    except (InvalidOperation, ValueError, OverflowError):
        problem = "is not a number"
    if problem:
        r.warn(f"service {service_id}: cost amount {str(value)[:100]!r} {problem}; left out")
        return None
    return number


def cost_options(r: RecordReader, docs: list[Doc], service_id: uuid.UUID) -> list[Row]:
    return [
        {
            "id": r.ident(doc, "cost_option", f"{service_id}:{index}"),
            "service": service_id,
            "option": text(doc, "option"),
            "amount": amount(r, doc.get("amount"), service_id),
            "currency": (text(doc, "currency") or "EUR").upper(),
            "amount_description": text(doc, "amount_description"),
            "valid_from": parse_date(doc.get("valid_from")),
            "valid_to": parse_date(doc.get("valid_to")),
        }
        for index, doc in enumerate(docs)
    ]


def documents(r: RecordReader, docs: list[Doc], service_id: uuid.UUID) -> list[Row]:
    return [
        {
            "id": r.ident(doc, "required_document", f"{service_id}:{index}"),
            "service": service_id,
            "document": text(doc, "document"),
            "uri": r.link(doc, "uri", f"required document of service {service_id}"),
        }
        for index, doc in enumerate(docs)
    ]


def capacities(r: RecordReader, docs: list[Doc], service_id: uuid.UUID) -> list[Row]:
    if len(docs) > 1:
        r.warn(f"service {service_id}: Lotse keeps one capacity; the first of {len(docs)} is kept")
    for doc in docs[:1]:
        unit = doc.get("unit")
        unit_name = text(unit, "name") if isinstance(unit, dict) else ""
        available = r.integer(doc.get("available"), "capacity available", PLACES) or 0
        maximum = r.integer(doc.get("maximum"), "capacity maximum", PLACES)
        if maximum is None:
            maximum = available
        if available > maximum:
            r.warn(
                f"service {service_id}: capacity available {available} exceeds maximum "
                f"{maximum}; maximum raised to {available}"
            )
            maximum = available
        row: Row = {
            "id": r.ident(doc, "capacity", str(service_id)),
            "service": service_id,
            "unit": unit_name or "Plätze",
            "maximum": maximum,
            "available": available,
            "description": text(doc, "description"),
        }
        if doc.get("updated"):
            row["updated"] = parse_datetime(doc["updated"])
        values = ext.lotse_values(doc.get("attributes"))
        if "waitlist-open" in values:
            row["waitlist_open"] = bool(ext.read_flag(values["waitlist-open"]))
        elif "attributes" in doc:
            row["waitlist_open"] = False
        return [row]
    return []


def translations(r: RecordReader, docs: list[Doc], service_id: uuid.UUID) -> list[Row]:
    return [
        {
            "id": r.ident(doc, "translation", f"{service_id}:{text(doc, 'language')}"),
            "service": service_id,
            "language": text(doc, "language"),
            "name": text(doc, "name"),
            "description": text(doc, "description"),
        }
        for doc in docs
        if text(doc, "language") and text(doc, "name")
    ]


def term_links(r: RecordReader, docs: list[Doc], service_id: uuid.UUID) -> list[TermLink]:
    links = []
    for doc in docs:
        if ext.is_lotse_attribute(doc):
            continue
        embedded = doc.get("taxonomy_term")
        raw = doc.get("taxonomy_term_id") or (
            embedded.get("id") if isinstance(embedded, dict) else None
        )
        term_id = r.ref(raw, "taxonomy_term")
        if term_id is None:
            label = doc.get("label") or doc.get("value")
            r.warn(f"service {service_id}: attribute {label!r} has no taxonomy term; left out")
            continue
        links.append(
            TermLink(
                attribute_id=r.ident(doc, "attribute", f"{service_id}:{term_id}"),
                term_id=term_id,
                term=embedded if isinstance(embedded, dict) else None,
            )
        )
    return links


def accessibility_text(r: RecordReader, doc: Doc) -> str:
    parts = []
    for item in r.items(doc, "accessibility"):
        lines = [text(item, "description"), text(item, "details")]
        parts.append("\n".join(line for line in lines if line))
    return "\n\n".join(part for part in parts if part)
