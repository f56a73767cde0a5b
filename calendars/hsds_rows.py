"""Schedules of HSDS records read for many owners at once and written by the HSDS import.

Reached through `calendars.api`; `core.row_sync` compares and writes the rows.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from calendars import hsds
from calendars.rules import (
    Rule,
    RuleError,
    ScheduleExceptionValue,
    exception_from_row,
    exception_to_row,
    rule_from_row,
    rule_to_row,
)
from calendars.tables import Schedule, ScheduleException
from core import row_sync
from core.db import among

# The owners a schedule may hang off, most specific first.
HSDS_OWNERS = ("service_at_location", "service", "location")
Owner = tuple[str, UUID]


@dataclass(frozen=True)
class HsdsScheduleRows:
    """HSDS schedule objects of one owner as rows of the schedule tables (for an import that
    compares them with what is stored), and the objects that could not be read."""

    rules: list[dict[str, Any]]
    exceptions: list[dict[str, Any]]
    refused: list[str]


def _owner_of(row: Mapping[str, Any]) -> Owner | None:
    for column in HSDS_OWNERS:
        if row.get(column):
            return column, row[column]
    return None


async def _owned_rows(table: Any, ids: dict[str, set[UUID]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for column, wanted in ids.items():
        values = list(wanted)
        for start in range(0, len(values), 500):
            part = values[start : start + 500]
            rows.extend(await table.select().where(among(getattr(table, column), part)))
    return rows


async def hsds_schedules_of_owners(
    services: Iterable[UUID] = (),
    locations: Iterable[UUID] = (),
    service_at_locations: Iterable[UUID] = (),
) -> dict[Owner, list[dict[str, Any]]]:
    """HSDS `schedule` objects of each owner given, keyed by ("service"|"location"|
    "service_at_location", id); each owner's own schedules only (one query per owner kind and
    table, in chunks), rules and exceptions ordered by id so that exports are stable."""
    ids = {
        "service": set(services),
        "location": set(locations),
        "service_at_location": set(service_at_locations),
    }
    rules: dict[Owner, dict[UUID, Rule]] = defaultdict(dict)
    for row in await _owned_rows(Schedule, ids):
        owner = _owner_of(row)
        if owner is not None and owner[1] in ids[owner[0]]:
            rules[owner][row["id"]] = rule_from_row(row)
    exceptions: dict[Owner, dict[UUID, ScheduleExceptionValue]] = defaultdict(dict)
    for row in await _owned_rows(ScheduleException, ids):
        owner = _owner_of(row)
        if owner is not None and owner[1] in ids[owner[0]]:
            exceptions[owner][row["id"]] = exception_from_row(row)
    return {
        owner: hsds.schedules_to_hsds(
            sorted(rules.get(owner, {}).values(), key=lambda rule: str(rule.id)),
            sorted(exceptions.get(owner, {}).values(), key=lambda exc: str(exc.id)),
        )
        for owner in set(rules) | set(exceptions)
    }


def hsds_schedule_rows(
    owner_column: str, owner_id: UUID, items: Sequence[Mapping[str, Any]]
) -> HsdsScheduleRows:
    """HSDS schedule objects of one owner as schedule and exception rows; an unusable object is
    named in `refused` (with why) and left out, the others are kept."""
    owner: dict[str, UUID | None] = {column: None for column in HSDS_OWNERS}
    owner[owner_column] = owner_id
    result = HsdsScheduleRows([], [], [])
    for item in items:
        try:
            values = hsds.schedules_from_hsds([item])
        except RuleError as error:
            result.refused.append(str(error))
            continue
        for value in values:
            value = dataclasses.replace(
                value,
                service_id=owner["service"],
                location_id=owner["location"],
                service_at_location_id=owner["service_at_location"],
            )
            if isinstance(value, Rule):
                result.rules.append({"id": value.id, **owner, **rule_to_row(value)})
            else:
                result.exceptions.append(
                    {"id": value.id, **owner, "schedule": value.schedule_id,
                     **exception_to_row(value)}
                )
    return result


# The schedule tables as an HSDS import keeps them in step (rules before their exceptions).
HSDS_SCHEDULE_TABLES = row_sync.RowTables(
    tables={"schedule": Schedule, "schedule_exception": ScheduleException},
    owner_columns=frozenset(HSDS_OWNERS),
)


async def existing_schedule_ids(table: str, ids: Iterable[UUID]) -> set[UUID]:
    """Which of ``ids`` the table ("schedule" or "schedule_exception") holds."""
    return await row_sync.existing_ids(HSDS_SCHEDULE_TABLES.tables[table], ids)


async def plan_hsds_schedules(records: Sequence[row_sync.RecordRows]) -> row_sync.Plan:
    """What the schedule rows of these records (from `hsds_schedule_rows`, as child sets of their
    owners) would change; other rows of the records are left to their own domains."""
    return await row_sync.make_plan(HSDS_SCHEDULE_TABLES, records)


async def apply_hsds_schedules(plan: row_sync.Plan, phase: row_sync.Phase = "all") -> None:
    """Write a plan of `plan_hsds_schedules` in the caller's transaction: ``remove`` before the
    owners may go, ``write`` once they exist."""
    await row_sync.apply_plan(HSDS_SCHEDULE_TABLES, plan, phase)
