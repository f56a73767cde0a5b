"""Keeping tables in step with records from outside: upsert rows by id, make child sets exactly
what the record says.

Each domain that takes whole records from another system (the directory and the calendars, for
an HSDS import) describes its tables in a ``RowTables`` and writes only those; the engine is
shared so that both compare and write alike. A plan compares the wanted rows with what the
database holds and changes only what differs, so importing the same data twice changes nothing
the second time.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from piccolo.columns import Column
from piccolo.table import Table

from core.batches import chunks
from core.db import among, insert_many

Row = dict[str, Any]
Key = tuple[str, uuid.UUID]
# Ids per IN (...) when reading; far below the parameter limits of SQLite and PostgreSQL.
LOAD_CHUNK = 2000
Phase = Literal["remove", "write", "all"]


@dataclass(frozen=True)
class RowTables:
    """The tables one domain keeps in step, parents before children."""

    tables: dict[str, type[Table]]
    # Tables whose rows get ``last_modified`` when a record changes them.
    stamped: frozenset[str] = frozenset()
    # Child tables whose rows may hang off several parents at once (as in HSDS' tabular form).
    shared_children: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Columns naming the record a child row belongs to (whose record changed with it).
    owner_columns: frozenset[str] = frozenset()
    # Tables whose rows may name a parent row of the same table (inserted parents first).
    self_parented: frozenset[str] = frozenset()


@dataclass
class RowUpsert:
    """A row to insert or update by id; ``on_insert`` only applies when it is new."""

    table: str
    row: Row
    on_insert: Row = field(default_factory=dict)


@dataclass
class ChildRows:
    """``rows`` are all rows of ``table`` whose ``parent_column`` is ``parent_id``."""

    table: str
    parent_column: str
    parent_id: uuid.UUID
    rows: list[Row]


class RecordRows(Protocol):
    """The rows of one record (a record read later wins where two set the same row)."""

    @property
    def upserts(self) -> list[RowUpsert]: ...

    @property
    def children(self) -> list[ChildRows]: ...


def same(a: object, b: object) -> bool:
    """Equal as stored values (numbers by value, ids by text, times by instant)."""
    if a is b or a == b:
        return True
    if a is None or b is None:
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    if isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal):
        return Decimal(str(a)) == Decimal(str(b))
    if isinstance(a, uuid.UUID) or isinstance(b, uuid.UUID):
        return str(a) == str(b)
    return a == b


async def existing_ids(cls: type[Table], ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    key = cls._meta.primary_key
    found: set[uuid.UUID] = set()
    for part in chunks(list(set(ids))):
        rows = await cls.select(key).where(among(key, part))
        found.update(row["id"] for row in rows)
    return found


@dataclass
class Plan:
    inserts: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    updates: dict[str, list[tuple[uuid.UUID, Row]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    deletes: dict[str, list[uuid.UUID]] = field(default_factory=lambda: defaultdict(list))
    unlinks: dict[str, list[tuple[uuid.UUID, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    changed: set[Key] = field(default_factory=set)
    created: set[Key] = field(default_factory=set)
    # (table, parent column, parent id) of child sets that lost rows
    shrunk: set[tuple[str, str, uuid.UUID]] = field(default_factory=set)
    # (parent column, parent id) of every changed child row: whose record changed with it
    touched: set[tuple[str, uuid.UUID]] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return not (self.inserts or self.updates or self.deletes or self.unlinks)


def _merge(
    records: Sequence[RecordRows], tables: RowTables
) -> tuple[
    dict[str, dict[uuid.UUID, Row]],
    dict[str, dict[uuid.UUID, Row]],
    dict[tuple[str, str, uuid.UUID], set[uuid.UUID]],
]:
    """The wanted rows of ``tables`` by id (merged across records), and each child set."""
    mine = tables.tables
    wanted: dict[str, dict[uuid.UUID, Row]] = defaultdict(dict)
    on_insert: dict[str, dict[uuid.UUID, Row]] = defaultdict(dict)
    scopes: dict[tuple[str, str, uuid.UUID], set[uuid.UUID]] = {}
    for record in records:
        for item in record.upserts:
            if item.table in mine:
                wanted[item.table].setdefault(item.row["id"], {}).update(item.row)
                on_insert[item.table].setdefault(item.row["id"], {}).update(item.on_insert)
        for child in record.children:
            if child.table not in mine:
                continue
            scope = (child.table, child.parent_column, child.parent_id)
            scopes.setdefault(scope, set()).update(row["id"] for row in child.rows)
            for row in child.rows:
                wanted[child.table].setdefault(row["id"], {}).update(row)
    return wanted, on_insert, scopes


async def _load(
    cls: type[Table], column: str, values: set[uuid.UUID], names: set[str]
) -> list[Row]:
    """Rows whose ``column`` is in ``values``, with just the columns ``names``."""
    selected = [c for c in cls._meta.columns if c._meta.name in names | {"id", column}]
    rows: list[Row] = []
    for part in chunks(list(values), LOAD_CHUNK):
        rows.extend(await cls.select(*selected).where(among(getattr(cls, column), part)))
    return rows


async def make_plan(
    tables: RowTables, records: Sequence[RecordRows], now: datetime | None = None
) -> Plan:
    """What writing ``records`` would change in ``tables`` (rows of other tables are ignored)."""
    now = now or datetime.now(UTC)
    plan = Plan()
    wanted, on_insert, scopes = _merge(records, tables)
    by_scope: dict[tuple[str, str], set[uuid.UUID]] = defaultdict(set)
    for table, column, parent in scopes:
        by_scope[(table, column)].add(parent)
    for table, cls in tables.tables.items():
        rows = wanted.get(table, {})
        shared = tables.shared_children.get(table, ())
        # Only the columns the records set (and the parents) need comparing.
        names = {name for row in rows.values() for name in row} | set(shared)
        current: dict[uuid.UUID, Row] = {}
        if rows:
            current = {row["id"]: row for row in await _load(cls, "id", set(rows), names)}
        for (scope_table, column), parents in by_scope.items():
            if scope_table != table:
                continue
            for row in await _load(cls, column, parents, names):
                current.setdefault(row["id"], row)
                kept = scopes[(table, column, row[column])]
                if row["id"] in kept:
                    continue
                plan.shrunk.add((table, column, row[column]))
                plan.touched.add((column, row[column]))
                plan.changed.add((table, row["id"]))
                others = [c for c in shared if c != column and row.get(c)]
                if row["id"] in rows or others:
                    plan.unlinks[table].append((row["id"], column))
                else:
                    plan.deletes[table].append(row["id"])
        for row_id, row in rows.items():
            existing = current.get(row_id)
            if existing is None:
                plan.inserts[table].append({**on_insert.get(table, {}).get(row_id, {}), **row})
                plan.created.add((table, row_id))
            else:
                changes = {
                    k: v for k, v in row.items() if k != "id" and not same(existing.get(k), v)
                }
                if table in tables.stamped and changes and "last_modified" not in row:
                    changes["last_modified"] = now
                if not changes:
                    continue
                plan.updates[table].append((row_id, changes))
            plan.changed.add((table, row_id))
            plan.touched.update(
                (column, value)
                for column, value in row.items()
                if column in tables.owner_columns and value is not None
            )
    return plan


def _parents_first(rows: list[Row]) -> list[Row]:
    """Rows ordered so that a parent is inserted before its children."""
    pending = {row["id"]: row for row in rows}
    ordered: list[Row] = []
    while pending:
        ready = [r for r in pending.values() if r.get("parent") not in pending]
        if not ready:  # a cycle: break it rather than fail
            ready = list(pending.values())[:1]
        for row in ready:
            ordered.append(pending.pop(row["id"]))
    return ordered


async def apply_plan(tables: RowTables, plan: Plan, phase: Phase = "all") -> None:
    """Write a plan; the caller holds the transaction.

    ``remove`` deletes and unlinks (children first), ``write`` inserts and updates (parents
    first): another domain's rows that refer to these can be removed before and written after.
    """
    ordered = list(tables.tables.items())
    for table, cls in reversed(ordered if phase != "write" else []):
        key = cls._meta.primary_key
        for gone in chunks(plan.deletes.get(table, [])):
            await cls.delete().where(key.is_in(gone))
        for row_id, column in plan.unlinks.get(table, []):
            await cls.update({column: None}).where(key == row_id)
    for table, cls in ordered if phase != "remove" else []:
        rows = plan.inserts.get(table, [])
        if table in tables.self_parented:
            rows = _parents_first(rows)
        for part in chunks(rows, 1000):
            await insert_many(cls, part)
        key = cls._meta.primary_key
        for row_id, changes in plan.updates.get(table, []):
            values: dict[Column | str, Any] = {}
            values.update(changes.items())
            await cls.update(values).where(key == row_id)
