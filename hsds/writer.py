"""Applying bundles: upsert rows by id, make child sets exactly what the record says.

A plan compares the wanted rows with what the database holds and changes only what differs,
so importing the same data twice changes nothing the second time.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from piccolo.columns import Column
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

from hsds.bundle import TABLES, Bundle, Row

ORDER = (
    "taxonomy",
    "taxonomy_term",
    "organization",
    "location",
    "service",
    "service_at_location",
    "phone",
    "contact",
    "language",
    "cost_option",
    "required_document",
    "capacity",
    "translation",
    "service_term",
    "schedule",
    "schedule_exception",
)
STAMPED = {"organization", "location", "service"}
# Child tables whose rows may hang off several parents at once (as in HSDS' tabular form).
PARENTS = {"phone": ("organization", "service", "location"), "contact": ("organization", "service")}
# (table, column) -> table the column refers to
REFERENCES = {
    ("taxonomy_term", "taxonomy"): "taxonomy",
    ("location", "organization"): "organization",
    ("service", "organization"): "organization",
    ("service_at_location", "service"): "service",
    ("service_at_location", "location"): "location",
    ("phone", "organization"): "organization",
    ("phone", "service"): "service",
    ("phone", "location"): "location",
    ("contact", "organization"): "organization",
    ("contact", "service"): "service",
    ("service_term", "term"): "taxonomy_term",
    **{
        (table, owner): owner
        for table in ("schedule", "schedule_exception")
        for owner in ("service", "location", "service_at_location")
    },
    ("schedule_exception", "schedule"): "schedule",
}
REQUIRED = {
    "taxonomy_term": ("taxonomy",),
    "location": ("organization",),
    "service": ("organization",),
    "service_at_location": ("service", "location"),
}
CHUNK = 500
# Ids per IN (...) when reading; far below the parameter limits of SQLite and PostgreSQL.
LOAD_CHUNK = 2000
OWNER_COLUMNS = {"service", "location", "organization", "service_at_location"}

Key = tuple[str, uuid.UUID]


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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


async def existing_ids(table: str, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    cls = TABLES[table]
    key = cls._meta.primary_key
    found: set[uuid.UUID] = set()
    for part in _chunks(list(set(ids))):
        rows = await cls.select(key).where(key.is_in(part))
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


def bundle_keys(bundle: Bundle) -> set[Key]:
    """The rows that make up a bundle's record (a nested organisation is a record of its own)."""
    keys = {
        (item.table, item.row["id"])
        for item in bundle.upserts
        if item.table != "organization" or bundle.kind == "organization"
    }
    for child in bundle.children:
        keys.update((child.table, row["id"]) for row in child.rows)
    return keys


def bundle_changed(bundle: Bundle, plan: Plan) -> bool:
    if bundle_keys(bundle) & plan.changed:
        return True
    return any(
        (child.table, child.parent_column, child.parent_id) in plan.shrunk
        for child in bundle.children
    )


async def check_references(
    bundles: list[Bundle], known: dict[str, set[uuid.UUID]]
) -> dict[int, str]:
    """Index of bundle -> why it cannot be written (a reference to a record Lotse lacks)."""
    provided: dict[str, set[uuid.UUID]] = defaultdict(set)
    complete: dict[tuple[str, str], set[uuid.UUID]] = defaultdict(set)
    for bundle in bundles:
        for item in bundle.upserts:
            provided[item.table].add(item.row["id"])
            for column in REQUIRED.get(item.table, ()):
                if item.row.get(column) is not None:
                    complete[(item.table, column)].add(item.row["id"])
        for child in bundle.children:
            provided[child.table].update(row["id"] for row in child.rows)
    wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
    needs: list[list[tuple[str, uuid.UUID, str]]] = []
    for bundle in bundles:
        refs = []
        rows = [(item.table, item.row) for item in bundle.upserts]
        rows += [(child.table, row) for child in bundle.children for row in child.rows]
        for table, row in rows:
            for column, value in row.items():
                target = REFERENCES.get((table, column))
                if target and value is not None and value not in provided[target]:
                    refs.append((target, value, f"{table}.{column}"))
                    wanted[target].add(value)
            for column in REQUIRED.get(table, ()):
                if row.get(column) is None and row["id"] not in complete[(table, column)]:
                    refs.append((table, row["id"], f"{table}.{column} (not given)"))
                    wanted[table].add(row["id"])
        needs.append(refs)
    present = {
        table: await existing_ids(table, ids) | known.get(table, set())
        for table, ids in wanted.items()
    }
    problems = {}
    for index, refs in enumerate(needs):
        missing = [
            (target, value, where) for target, value, where in refs if value not in present[target]
        ]
        if missing:
            target, value, where = missing[0]
            if where.endswith("(not given)"):
                problems[index] = f"{where}: {target} {value} is not known here"
            else:
                problems[index] = f"{where} refers to {target} {value}, which is not known here"
    return problems


def _merge(
    bundles: list[Bundle],
) -> tuple[
    dict[str, dict[uuid.UUID, Row]],
    dict[str, dict[uuid.UUID, Row]],
    dict[tuple[str, str, uuid.UUID], set[uuid.UUID]],
]:
    wanted: dict[str, dict[uuid.UUID, Row]] = defaultdict(dict)
    on_insert: dict[str, dict[uuid.UUID, Row]] = defaultdict(dict)
    scopes: dict[tuple[str, str, uuid.UUID], set[uuid.UUID]] = {}
    for bundle in bundles:
        for item in bundle.upserts:
            wanted[item.table].setdefault(item.row["id"], {}).update(item.row)
            on_insert[item.table].setdefault(item.row["id"], {}).update(item.on_insert)
        for child in bundle.children:
            scope = (child.table, child.parent_column, child.parent_id)
            scopes.setdefault(scope, set()).update(row["id"] for row in child.rows)
            for row in child.rows:
                wanted[child.table].setdefault(row["id"], {}).update(row)
    return wanted, on_insert, scopes


async def _load(table: str, column: str, values: set[uuid.UUID], names: set[str]) -> list[Row]:
    """Rows whose ``column`` is in ``values``, with just the columns ``names``."""
    cls = TABLES[table]
    selected = [c for c in cls._meta.columns if c._meta.name in names | {"id", column}]
    rows: list[Row] = []
    for part in _chunks(list(values), LOAD_CHUNK):
        rows.extend(await cls.select(*selected).where(getattr(cls, column).is_in(part)))
    return rows


async def make_plan(bundles: list[Bundle], now: datetime | None = None) -> Plan:
    now = now or datetime.now(UTC)
    plan = Plan()
    wanted, on_insert, scopes = _merge(bundles)
    by_scope: dict[tuple[str, str], set[uuid.UUID]] = defaultdict(set)
    for table, column, parent in scopes:
        by_scope[(table, column)].add(parent)
    for table in ORDER:
        rows = wanted.get(table, {})
        # Only the columns the records set (and the parents) need comparing.
        names = {name for row in rows.values() for name in row} | set(PARENTS.get(table, ()))
        current: dict[uuid.UUID, Row] = {}
        if rows:
            current = {row["id"]: row for row in await _load(table, "id", set(rows), names)}
        for (scope_table, column), parents in by_scope.items():
            if scope_table != table:
                continue
            for row in await _load(table, column, parents, names):
                current.setdefault(row["id"], row)
                kept = scopes[(table, column, row[column])]
                if row["id"] in kept:
                    continue
                plan.shrunk.add((table, column, row[column]))
                plan.touched.add((column, row[column]))
                plan.changed.add((table, row["id"]))
                others = [c for c in PARENTS.get(table, ()) if c != column and row.get(c)]
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
                if table in STAMPED and changes and "last_modified" not in row:
                    changes["last_modified"] = now
                if not changes:
                    continue
                plan.updates[table].append((row_id, changes))
            plan.changed.add((table, row_id))
            plan.touched.update(
                (column, value)
                for column, value in row.items()
                if column in OWNER_COLUMNS and value is not None
            )
    return plan


def _default(column: Column) -> Any:
    value = column.get_default_value()
    return value.python() if hasattr(value, "python") else value


async def bulk_insert(cls: type[Table], rows: list[Row]) -> None:
    """Insert rows with one prepared statement (``executemany``) in the open transaction.

    Piccolo builds one object and one SQL string per row, which dominates large imports.
    Values pass through the same driver adapters Piccolo uses, so they are stored alike.
    """
    db = cls._meta.db
    transaction = db.current_transaction.get()
    if transaction is None or not rows:
        if rows:
            await cls.insert(*[cls(**row) for row in rows])
        return
    columns = cls._meta.columns
    names = ", ".join(f'"{column._meta.db_column_name}"' for column in columns)
    if isinstance(db, SQLiteEngine):
        marks = ", ".join("?" for _ in columns)
    else:
        marks = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    sql = f'INSERT INTO "{cls._meta.tablename}" ({names}) VALUES ({marks})'
    values = [
        [row[c._meta.name] if c._meta.name in row else _default(c) for c in columns] for row in rows
    ]
    await transaction.connection.executemany(sql, values)


def _parents_first(rows: list[Row]) -> list[Row]:
    """Taxonomy terms ordered so that a parent is inserted before its children."""
    pending = {row["id"]: row for row in rows}
    ordered: list[Row] = []
    while pending:
        ready = [r for r in pending.values() if r.get("parent") not in pending]
        if not ready:  # a cycle: break it rather than fail
            ready = list(pending.values())[:1]
        for row in ready:
            ordered.append(pending.pop(row["id"]))
    return ordered


async def apply_plan(plan: Plan) -> None:
    """Write a plan; the caller holds the transaction."""
    for table in reversed(ORDER):
        cls = TABLES[table]
        key = cls._meta.primary_key
        for part in _chunks(plan.deletes.get(table, [])):
            await cls.delete().where(key.is_in(part))
        for row_id, column in plan.unlinks.get(table, []):
            await cls.update({column: None}).where(key == row_id)
    for table in ORDER:
        cls = TABLES[table]
        rows = plan.inserts.get(table, [])
        if table == "taxonomy_term":
            rows = _parents_first(rows)
        for part in _chunks(rows, 1000):
            await bulk_insert(cls, part)
        key = cls._meta.primary_key
        for row_id, changes in plan.updates.get(table, []):
            values: dict[Column | str, Any] = {}
            values.update(changes.items())
            await cls.update(values).where(key == row_id)
