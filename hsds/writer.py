"""Writing a batch of imported records: each domain plans and applies its own rows.

The directory writes its tables (``directory.api``), the calendars their schedules
(``calendars.api``); this module checks that every reference can be met, joins the two plans
into one view for counting and announcing, and applies them in an order the foreign keys allow.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from calendars import api as calendars
from core.row_sync import Plan as RowPlan
from directory import api as directory
from hsds.bundle import Bundle

SCHEDULE_TABLES = {"schedule", "schedule_exception"}
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
Key = tuple[str, uuid.UUID]


@dataclass
class Plan:
    """What a batch changes: the directory's part and the calendars' part (joined once)."""

    records: RowPlan
    schedules: RowPlan

    @cached_property
    def created(self) -> set[Key]:
        return self.records.created | self.schedules.created

    @cached_property
    def changed(self) -> set[Key]:
        return self.records.changed | self.schedules.changed

    @cached_property
    def shrunk(self) -> set[tuple[str, str, uuid.UUID]]:
        return self.records.shrunk | self.schedules.shrunk

    @cached_property
    def touched(self) -> set[tuple[str, uuid.UUID]]:
        return self.records.touched | self.schedules.touched


async def make_plan(bundles: list[Bundle]) -> Plan:
    """Compare the batch with what Lotse holds; nothing is written."""
    return Plan(
        await directory.plan_imported_records(bundles), await calendars.plan_hsds_schedules(bundles)
    )


async def apply_plan(plan: Plan) -> None:
    """Write a plan in the caller's transaction: schedules go before their owners may go, and
    come after their owners exist."""
    await calendars.apply_hsds_schedules(plan.schedules, "remove")
    await directory.apply_imported_records(plan.records)
    await calendars.apply_hsds_schedules(plan.schedules, "write")


async def existing_ids(table: str, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    if table in SCHEDULE_TABLES:
        return await calendars.existing_schedule_ids(table, ids)
    return await directory.existing_import_ids(table, ids)


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
