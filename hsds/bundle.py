"""The shape of an imported record: rows to upsert and complete sets of child rows.

A record becomes a ``Bundle``: the rows to upsert by id, and the complete sets of child rows a
parent should have. A child collection is only replaced when its key is present in the record,
so partial records (list items, nested organisations) never delete anything. Lotse fields that
travel as attributes or ``lotse_`` properties are only written when present.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from core.row_sync import ChildRows, RowUpsert
from directory import api as directory
from hsds import extensions as ext
from hsds.limits import MAX_TEXT, number_problem, safe_email, safe_link

Row = dict[str, Any]
# The rows a record hands to the domains that write them (the directory, the calendars).
Upsert = RowUpsert
ChildSet = ChildRows
Doc = dict[str, Any]

KINDS = ("taxonomy", "taxonomy_term", "organization", "location", "service", "service_at_location")
SERVICE_STATUSES = {"active", "inactive", "defunct", "temporarily closed"}
LOCATION_TYPES = {"physical", "postal", "virtual"}

class RecordError(ValueError):
    """The record cannot be imported; the message says what to fix."""


@dataclass
class TermLink:
    attribute_id: uuid.UUID
    term_id: uuid.UUID
    term: Doc | None


@dataclass
class ScheduleSet:
    owner_column: str
    owner_id: uuid.UUID
    docs: list[Doc]


@dataclass
class Bundle:
    kind: str
    record_id: uuid.UUID
    label: str
    upserts: list[Upsert] = field(default_factory=list)
    children: list[ChildSet] = field(default_factory=list)
    # service id -> every taxonomy-term attribute of that service
    term_sets: dict[uuid.UUID, list[TermLink]] = field(default_factory=dict)
    schedules: list[ScheduleSet] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # (kind, id, record as received) of the records read, kept as extension data
    originals: list[tuple[str, uuid.UUID, Doc]] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Rows the bundle writes (for sizing batches)."""
        return len(self.upserts) + sum(len(child.rows) for child in self.children)

    def upserted(self, table: str) -> list[Row]:
        return [item.row for item in self.upserts if item.table == table]


def detect_kind(doc: Doc, hint: str | None = None) -> str | None:
    """The record kind from a file-name hint, else from the record's shape."""
    if hint in KINDS:
        return hint
    if "status" in doc or "service_at_locations" in doc:
        return "service"
    if "location_type" in doc or "addresses" in doc:
        return "location"
    if "location" in doc or ("service_id" in doc and "location_id" in doc and "name" not in doc):
        return "service_at_location"
    if {"code", "parent_id", "taxonomy_id", "taxonomy_detail", "term_uri"} & doc.keys():
        return "taxonomy_term"
    if {
        "services",
        "locations",
        "website",
        "organization_identifiers",
        "legal_status",
    } & doc.keys():
        return "organization"
    # Bare {id, name, description} is far more often an organisation than a taxonomy.
    taxonomy_keys = {"id", "name", "description", "uri", "version", "metadata"}
    if {"uri", "version"} & doc.keys() and set(doc) <= taxonomy_keys:
        return "taxonomy"
    if {"id", "name", "description"} <= doc.keys():
        return "organization"
    return None


def parse_datetime(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise RecordError(f"{value!r} is not a date and time (ISO 8601)") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_date(value: object) -> date | None:
    if value in (None, ""):
        return None
    text = str(value)
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise RecordError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class RecordReader:
    def __init__(self, kind: str, record_id: uuid.UUID, label: str) -> None:
        self.bundle = Bundle(kind=kind, record_id=record_id, label=label)

    def warn(self, message: str) -> None:
        if message not in self.bundle.warnings:
            self.bundle.warnings.append(message)

    def ident(self, doc: Doc, what: str, fallback: str | None = None) -> uuid.UUID:
        raw = doc.get("id")
        if raw in (None, ""):
            if fallback is None:
                raise RecordError(f"{what} has no id")
            return uuid.UUID(ext.derived_id(what, fallback))
        try:
            return uuid.UUID(str(raw))
        except ValueError:
            self.warn(f"{what} id {raw!r} is not a UUID; a stable UUID was derived from it")
            return uuid.UUID(ext.derived_id("external", f"{what}:{raw}"))

    def ref(self, value: object, what: str) -> uuid.UUID | None:
        if value in (None, ""):
            return None
        try:
            return uuid.UUID(str(value))
        except ValueError:
            return uuid.UUID(ext.derived_id("external", f"{what}:{value}"))

    def integer(self, value: object, what: str, bounds: tuple[int, int]) -> int | None:
        """A whole number within ``bounds``; anything else makes the record an error."""
        if value in (None, "") or isinstance(value, bool):
            return None
        try:
            number = float(str(value)[:100])
        except ValueError:
            raise RecordError(f"{what} must be a number, got {str(value)[:100]!r}") from None
        problem = number_problem(number, *bounds)
        if problem:
            raise RecordError(f"{what} {str(value)[:100]} {problem}")
        if number != int(number):
            self.warn(f"{what} {value} was rounded to a whole number")
        return round(number)

    def link(self, doc: Doc, key: str, what: str) -> str | None:
        """An http(s), mailto or tel address from ``doc``; other values are left out."""
        value = optional(doc, key)
        checked = safe_link(value)
        if value is not None and checked is None:
            self.warn(
                f"{what} {key} {value[:100]!r} is not an http, https, mailto or tel address "
                "and was left out"
            )
        return checked

    def email(self, doc: Doc, key: str, what: str) -> str | None:
        value = optional(doc, key)
        checked = safe_email(value)
        if value is not None and checked is None:
            self.warn(f"{what} {key} {value[:100]!r} is not an e-mail address and was left out")
        return checked

    def items(self, doc: Doc, key: str) -> list[Doc]:
        value = doc.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise RecordError(f"{key} must be a list")
        return [item for item in value if isinstance(item, dict)]

    def fit(self, table: str, row: Row) -> Row:
        """Shorten texts that exceed a column's length (PostgreSQL would refuse them); a free
        text longer than the directory takes makes the record an error."""
        limits = directory.import_text_limits(table)
        for name, value in row.items():
            if not isinstance(value, str):
                continue
            if name not in limits and len(value) > MAX_TEXT:
                raise RecordError(
                    f"{table}.{name} has {len(value):,} characters; at most {MAX_TEXT:,} are taken"
                )
            limit = limits.get(name)
            if limit is not None and len(value) > limit:
                self.warn(f"{table}.{name} was shortened to {limit} characters")
                row[name] = value[:limit]
        return row

    def upsert(self, table: str, row: Row, on_insert: Row | None = None) -> None:
        self.bundle.upserts.append(Upsert(table, self.fit(table, row), on_insert or {}))

    def children(
        self, table: str, parent_column: str, parent_id: uuid.UUID, rows: list[Row]
    ) -> None:
        fitted = [self.fit(table, row) for row in rows]
        self.bundle.children.append(ChildSet(table, parent_column, parent_id, fitted))


def text(doc: Doc, key: str) -> str:
    value = doc.get(key)
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def optional(doc: Doc, key: str) -> str | None:
    return text(doc, key) or None


def phone_number(value: str) -> str:
    return value.strip().strip('"').strip()
