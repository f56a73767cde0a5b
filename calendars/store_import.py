"""Storing an .ics import for an offer: rows are matched by the calendar's UIDs, so importing
the same calendar again updates rows in place instead of adding them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from calendars.ics_import import ImportResult
from calendars.rules import exception_to_row, rule_to_row
from calendars.store import announce, chunks, column_values
from calendars.tables import Schedule, ScheduleException
from core.db import atomic


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    removed: int
    unchanged: int


def _same(row: dict[str, Any], values: dict[str, Any]) -> bool:
    return all(row.get(key) == value for key, value in values.items())


async def apply_import(
    service_id: UUID, result: ImportResult, subscription_id: UUID | None = None
) -> ImportSummary:
    """Store an import for an offer: rows are matched by the calendar's UIDs, so importing the
    same calendar again updates rows instead of adding them; rows no longer in it go."""
    now = datetime.now(UTC)
    created = updated = unchanged = 0
    source_filter = (
        Schedule.subscription.is_null()
        if subscription_id is None
        else Schedule.subscription == subscription_id
    )
    exc_filter = (
        ScheduleException.subscription.is_null()
        if subscription_id is None
        else ScheduleException.subscription == subscription_id
    )
    async with atomic():
        existing = {
            row["external_uid"]: row
            for row in await Schedule.select().where(
                (Schedule.service == service_id) & (Schedule.source == "import") & source_filter
            )
        }
        id_map: dict[UUID, UUID] = {}
        new_rows: list[Schedule] = []
        for rule in result.rules:
            values = rule_to_row(rule)
            row = existing.pop(rule.external_uid, None)
            if row is None:
                new_rows.append(
                    Schedule(
                        id=rule.id,
                        **values,
                        service=service_id,
                        source="import",
                        subscription=subscription_id,
                        external_uid=rule.external_uid,
                        created_at=now,
                        last_modified=now,
                    )
                )
                id_map[rule.id] = rule.id
                created += 1
                continue
            id_map[rule.id] = row["id"]
            if _same(row, values):
                unchanged += 1
                continue
            changed = column_values(values, sequence=int(row["sequence"]) + 1, last_modified=now)
            await Schedule.update(changed).where(Schedule.id == row["id"])
            updated += 1
        if new_rows:
            await Schedule.insert(*new_rows)
        removed = len(existing)
        stale = [row["id"] for row in existing.values()]
        for chunk in chunks(stale):
            await Schedule.delete().where(Schedule.id.is_in(list(chunk)))
        old_exceptions = {
            row["external_uid"]: row
            for row in await ScheduleException.select().where(
                (ScheduleException.service == service_id)
                & (ScheduleException.source == "import")
                & exc_filter
            )
        }
        fresh: list[ScheduleException] = []
        for exc in result.exceptions:
            schedule_id = id_map.get(exc.schedule_id) if exc.schedule_id else None
            values = {**exception_to_row(exc), "schedule": schedule_id}
            old = old_exceptions.pop(exc.external_uid, None)
            if old is not None:
                if not _same(old, values):
                    await ScheduleException.update(column_values(values, last_modified=now)).where(
                        ScheduleException.id == old["id"]
                    )
                continue
            fresh.append(
                ScheduleException(
                    id=exc.id,
                    **values,
                    service=service_id,
                    source="import",
                    subscription=subscription_id,
                    external_uid=exc.external_uid,
                    last_modified=now,
                )
            )
        if fresh:
            await ScheduleException.insert(*fresh)
        gone = [row["id"] for row in old_exceptions.values()]
        for chunk in chunks(gone):
            await ScheduleException.delete().where(ScheduleException.id.is_in(list(chunk)))
        if created or updated or removed or fresh or gone:
            await announce([service_id])
    return ImportSummary(created, updated, removed, unchanged)
