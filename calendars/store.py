"""Reading and writing schedules. Every change runs in one transaction and announces
`calendars.schedule_changed` for each affected offer, so the search index follows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from piccolo.columns import Column
from piccolo.table import Table

from calendars.rules import (
    Rule,
    ScheduleExceptionValue,
    exception_from_row,
    exception_to_row,
    rule_from_row,
    rule_to_row,
    validate_exception,
    validate_rule,
)
from calendars.tables import Schedule, ScheduleException
from core.batches import chunks
from core.db import atomic
from directory import api as directory
from outbox.publish import publish

SCHEDULE_CHANGED = "calendars.schedule_changed"
# Above this many ids one scan of the table beats many IN queries.
BULK = 1000


@dataclass
class Schedules:
    """Everything that decides when one offer is open."""

    rules: list[Rule] = field(default_factory=list)
    exceptions: list[ScheduleExceptionValue] = field(default_factory=list)
    # True when the rules come from the offer's locations because it has none of its own.
    from_location: bool = False


def column_values(values: dict[str, Any], **more: Any) -> dict[Column | str, Any]:
    """Values for Piccolo's update(), which is typed for column keys."""
    return {key: value for key, value in {**values, **more}.items()}


def _now() -> datetime:
    return datetime.now(UTC)


async def _select_in(table: type[Table], column: Column, ids: Sequence[UUID]) -> list[Any]:
    """Rows whose `column` is one of `ids`: chunked IN lists for a few, one scan for many
    (re-indexing every offer should not send hundreds of queries)."""
    if not ids:
        return []
    if len(ids) > BULK:
        wanted = set(ids)
        name = column._meta.name
        scanned = await table.select().where(column.is_not_null())
        return [row for row in scanned if row[name] in wanted]
    rows: list[Any] = []
    for chunk in chunks(list(ids)):
        rows.extend(await table.select().where(column.is_in(list(chunk))))
    return rows


async def schedules_by_service(service_ids: Sequence[UUID]) -> dict[UUID, Schedules]:
    """The rules and exceptions of each offer: its own, those of its service-at-location rows,
    and, for an offer without any, those of its locations."""
    ids = list(dict.fromkeys(service_ids))
    result = {sid: Schedules() for sid in ids}
    places = await directory.service_places(ids)
    sal_owner = {sal: sid for sid, pairs in places.items() for sal, _ in pairs}
    for row in await _select_in(Schedule, Schedule.service, ids):
        result[row["service"]].rules.append(rule_from_row(row))
    for row in await _select_in(ScheduleException, ScheduleException.service, ids):
        result[row["service"]].exceptions.append(exception_from_row(row))
    sal_ids = list(sal_owner)
    for row in await _select_in(Schedule, Schedule.service_at_location, sal_ids):
        result[sal_owner[row["service_at_location"]]].rules.append(rule_from_row(row))
    for row in await _select_in(ScheduleException, ScheduleException.service_at_location, sal_ids):
        result[sal_owner[row["service_at_location"]]].exceptions.append(exception_from_row(row))
    without = [sid for sid in ids if not result[sid].rules]
    location_users: dict[UUID, list[UUID]] = {}
    for sid in without:
        for _sal, location in places.get(sid, []):
            location_users.setdefault(location, []).append(sid)
    location_ids = list(location_users)
    for row in await _select_in(Schedule, Schedule.location, location_ids):
        rule = rule_from_row(row)
        for sid in location_users[row["location"]]:
            result[sid].rules.append(rule)
            result[sid].from_location = True
    for row in await _select_in(ScheduleException, ScheduleException.location, location_ids):
        exc = exception_from_row(row)
        for sid in location_users[row["location"]]:
            result[sid].exceptions.append(exc)
    return result


async def own_schedules(service_id: UUID) -> Schedules:
    """Only the rows stored for the offer itself (what its editor shows)."""
    rows = await Schedule.select().where(Schedule.service == service_id).order_by(Schedule.kind)
    exc_rows = (
        await ScheduleException.select()
        .where(ScheduleException.service == service_id)
        .order_by(ScheduleException.starts_on)
    )
    return Schedules(
        rules=[rule_from_row(r) for r in rows],
        exceptions=[exception_from_row(r) for r in exc_rows],
    )


async def _affected_services(
    service_id: UUID | None, location_id: UUID | None, sal_id: UUID | None
) -> list[UUID]:
    if service_id is not None:
        return [service_id]
    if sal_id is not None:
        owner = await directory.service_of_place(sal_id)
        return [owner] if owner else []
    if location_id is not None:
        return await directory.services_at_location(location_id)
    return []


async def announce(service_ids: Iterable[UUID]) -> None:
    """Tell listeners (the search index) that these offers' schedules changed."""
    for service_id in dict.fromkeys(service_ids):
        await publish(SCHEDULE_CHANGED, {"service_id": str(service_id)})


def _ownercolumn_values(value: Rule | ScheduleExceptionValue) -> dict[str, Any]:
    return {
        "service": value.service_id,
        "location": value.location_id,
        "service_at_location": value.service_at_location_id,
    }


def _check_owner(value: Rule | ScheduleExceptionValue) -> None:
    owners = [value.service_id, value.location_id, value.service_at_location_id]
    if sum(owner is not None for owner in owners) != 1:
        raise ValueError(
            "a schedule belongs to exactly one service, location or service at location"
        )


async def add_rule(rule: Rule) -> Rule:
    validate_rule(rule)
    _check_owner(rule)
    now = _now()
    async with atomic():
        await Schedule.insert(
            Schedule(
                id=rule.id,
                **rule_to_row(rule),
                **_ownercolumn_values(rule),
                source=rule.source,
                external_uid=rule.external_uid,
                created_at=now,
                last_modified=now,
            )
        )
        await announce(
            await _affected_services(rule.service_id, rule.location_id, rule.service_at_location_id)
        )
    return rule.with_changes(last_modified=now)


async def get_rule(rule_id: UUID) -> Rule | None:
    row = await Schedule.select().where(Schedule.id == rule_id).first()
    return rule_from_row(row) if row else None


async def update_rule(rule: Rule) -> Rule:
    """Store the changed rule (same id); its SEQUENCE rises so calendar apps take the change."""
    validate_rule(rule)
    now = _now()
    async with atomic():
        current = await Schedule.select(Schedule.sequence).where(Schedule.id == rule.id).first()
        if current is None:
            raise LookupError("schedule not found")
        sequence = int(current["sequence"]) + 1
        values = column_values(rule_to_row(rule), sequence=sequence, last_modified=now)
        await Schedule.update(values).where(Schedule.id == rule.id)
        await announce(
            await _affected_services(rule.service_id, rule.location_id, rule.service_at_location_id)
        )
    return rule.with_changes(sequence=sequence, last_modified=now)


async def delete_rule(rule: Rule) -> None:
    async with atomic():
        await ScheduleException.delete().where(ScheduleException.schedule == rule.id)
        await Schedule.delete().where(Schedule.id == rule.id)
        await announce(
            await _affected_services(rule.service_id, rule.location_id, rule.service_at_location_id)
        )


async def add_exception(exc: ScheduleExceptionValue) -> ScheduleExceptionValue:
    validate_exception(exc)
    _check_owner(exc)
    now = _now()
    async with atomic():
        await ScheduleException.insert(
            ScheduleException(
                id=exc.id,
                **exception_to_row(exc),
                **_ownercolumn_values(exc),
                schedule=exc.schedule_id,
                source=exc.source,
                external_uid=exc.external_uid,
                last_modified=now,
            )
        )
        await _bump_for_exception(exc, now)
        await announce(
            await _affected_services(exc.service_id, exc.location_id, exc.service_at_location_id)
        )
    return exc


async def _bump_for_exception(exc: ScheduleExceptionValue, now: datetime) -> None:
    """A closure changes the EXDATEs of the rules it touches: raise their SEQUENCE."""
    if exc.kind != "closed":
        return
    if exc.schedule_id is not None:
        condition = Schedule.id == exc.schedule_id
    elif exc.service_id is not None:
        condition = Schedule.service == exc.service_id
    elif exc.location_id is not None:
        condition = Schedule.location == exc.location_id
    else:
        condition = Schedule.service_at_location == exc.service_at_location_id
    await Schedule.update(
        {Schedule.sequence: Schedule.sequence + 1, Schedule.last_modified: now}
    ).where(condition)


async def get_exception(exception_id: UUID) -> ScheduleExceptionValue | None:
    row = await ScheduleException.select().where(ScheduleException.id == exception_id).first()
    return exception_from_row(row) if row else None


async def delete_exception(exc: ScheduleExceptionValue) -> None:
    async with atomic():
        await ScheduleException.delete().where(ScheduleException.id == exc.id)
        await _bump_for_exception(exc, _now())
        await announce(
            await _affected_services(exc.service_id, exc.location_id, exc.service_at_location_id)
        )


async def replace_service_schedules(
    service_id: UUID,
    rules: Sequence[Rule],
    exceptions: Sequence[ScheduleExceptionValue],
) -> None:
    """Replace everything stored for the offer itself (e.g. from an HSDS import)."""
    for rule in rules:
        validate_rule(rule)
    for exc in exceptions:
        validate_exception(exc)
    now = _now()
    async with atomic():
        await ScheduleException.delete().where(ScheduleException.service == service_id)
        await Schedule.delete().where(Schedule.service == service_id)
        if rules:
            await Schedule.insert(
                *[
                    Schedule(
                        id=rule.id,
                        **rule_to_row(rule),
                        service=service_id,
                        source=rule.source,
                        external_uid=rule.external_uid,
                        created_at=now,
                        last_modified=now,
                    )
                    for rule in rules
                ]
            )
        if exceptions:
            await ScheduleException.insert(
                *[
                    ScheduleException(
                        id=exc.id,
                        **exception_to_row(exc),
                        service=service_id,
                        schedule=exc.schedule_id,
                        source=exc.source,
                        external_uid=exc.external_uid,
                        last_modified=now,
                    )
                    for exc in exceptions
                ]
            )
        await announce([service_id])
