"""Schedules in HSDS records, through the calendars domain's own mapping.

Export: the rules and exceptions of a page of owners, loaded with ``IN`` queries and turned
into HSDS schedule objects by ``calendars.hsds``. Import: HSDS schedule objects become rule and
exception rows that replace the owner's schedules.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from calendars.hsds import schedules_from_hsds, schedules_to_hsds
from calendars.rules import (
    Rule,
    RuleError,
    exception_from_row,
    exception_to_row,
    rule_from_row,
    rule_to_row,
)
from calendars.tables import Schedule, ScheduleException
from hsds.bundle import Bundle, ChildSet, Doc, Row

OWNERS = ("service_at_location", "service", "location")
Owner = tuple[str, uuid.UUID]


def owner_of(row: Row) -> Owner | None:
    """The one owner of a schedule row: the most specific of its owner columns."""
    for column in OWNERS:
        if row.get(column):
            return column, row[column]
    return None


async def _rows(table: Any, ids: dict[str, set[uuid.UUID]]) -> list[Row]:
    rows: list[Row] = []
    for column, wanted in ids.items():
        values = list(wanted)
        for start in range(0, len(values), 500):
            part = values[start : start + 500]
            if part:
                rows.extend(await table.select().where(getattr(table, column).is_in(part)))
    return rows


async def load_schedules(
    services: Iterable[uuid.UUID] = (),
    locations: Iterable[uuid.UUID] = (),
    service_at_locations: Iterable[uuid.UUID] = (),
) -> dict[Owner, list[Doc]]:
    """HSDS schedules of each owner among those given."""
    ids = {
        "service": set(services),
        "location": set(locations),
        "service_at_location": set(service_at_locations),
    }
    rules: dict[Owner, dict[uuid.UUID, Rule]] = defaultdict(dict)
    for row in await _rows(Schedule, ids):
        owner = owner_of(row)
        if owner is not None and owner[1] in ids[owner[0]]:
            rules[owner][row["id"]] = rule_from_row(row)
    exceptions: dict[Owner, dict[uuid.UUID, Any]] = defaultdict(dict)
    for row in await _rows(ScheduleException, ids):
        owner = owner_of(row)
        if owner is not None and owner[1] in ids[owner[0]]:
            exceptions[owner][row["id"]] = exception_from_row(row)
    docs: dict[Owner, list[Doc]] = {}
    for owner in set(rules) | set(exceptions):
        ordered_rules = sorted(rules.get(owner, {}).values(), key=lambda rule: str(rule.id))
        ordered_exceptions = sorted(exceptions.get(owner, {}).values(), key=lambda e: str(e.id))
        docs[owner] = schedules_to_hsds(ordered_rules, ordered_exceptions)
    return docs


def schedule_children(bundle: Bundle) -> None:
    """Turn the bundle's HSDS schedules into child sets of schedule and exception rows."""
    for item in bundle.schedules:
        rules: list[Row] = []
        exceptions: list[Row] = []
        owner: dict[str, uuid.UUID | None] = {column: None for column in OWNERS}
        owner[item.owner_column] = item.owner_id
        for doc in item.docs:
            try:
                values = schedules_from_hsds([doc])
            except RuleError as error:
                bundle.warnings.append(f"{item.owner_column} {item.owner_id}: {error}; not kept")
                continue
            for value in values:
                value = dataclasses.replace(
                    value,
                    service_id=owner["service"],
                    location_id=owner["location"],
                    service_at_location_id=owner["service_at_location"],
                )
                if isinstance(value, Rule):
                    rules.append({"id": value.id, **owner, **rule_to_row(value)})
                else:
                    exceptions.append(
                        {
                            "id": value.id,
                            **owner,
                            "schedule": value.schedule_id,
                            **exception_to_row(value),
                        }
                    )
        bundle.children.append(ChildSet("schedule", item.owner_column, item.owner_id, rules))
        bundle.children.append(
            ChildSet("schedule_exception", item.owner_column, item.owner_id, exceptions)
        )
    bundle.schedules = []
