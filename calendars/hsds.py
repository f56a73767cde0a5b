"""HSDS 3.1 `schedule` objects to and from rules and exceptions.

Everything a rule says that HSDS can express maps field by field. Closures cannot be said in
HSDS; as its field guidance advises, the export ends the regular row the day before a closure
and continues it in a further row after it, and extra dates become rows of their own.
Lotse-only facts (kind, appointment only, open on holidays, the original closures) travel in
an `x_lotse` object, an additional property HSDS permits, so a Lotse-to-Lotse round trip is
lossless while other consumers read plain, correct rows.

Times are Europe/Berlin wall-clock times. HSDS's numeric `timezone` is a fixed UTC offset and
cannot express daylight saving, so it is not written; on import an offset or `timezone` given
by the publisher is honoured.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, time, timedelta
from typing import Any

from calendars.hsds_import import EXTENSION, schedules_from_hsds
from calendars.rules import (
    WEEKDAYS,
    Rule,
    ScheduleExceptionValue,
    rule_from_row,
)

WHOLE_DAY = ("00:00", "23:59")

__all__ = ["EXTENSION", "schedule_to_hsds", "schedules_from_hsds", "schedules_to_hsds"]


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _owner_ids(value: Rule | ScheduleExceptionValue) -> dict[str, str]:
    ids = {
        "service_id": value.service_id,
        "location_id": value.location_id,
        "service_at_location_id": value.service_at_location_id,
    }
    return {key: str(val) for key, val in ids.items() if val is not None}


def _times(opens: time | None, closes: time | None) -> dict[str, str]:
    if opens is None:
        return {"opens_at": WHOLE_DAY[0], "closes_at": WHOLE_DAY[1]}
    return {"opens_at": _hhmm(opens), "closes_at": _hhmm(closes) if closes else WHOLE_DAY[1]}


def schedule_to_hsds(row: Any) -> dict[str, Any]:
    """One HSDS schedule object for a rule (a `Rule` or a `Schedule` row), without exceptions."""
    rule = row if isinstance(row, Rule) else rule_from_row(row)
    item: dict[str, Any] = {"id": str(rule.id), **_owner_ids(rule)}
    if rule.freq is None:
        assert rule.dtstart is not None
        # A single date: one weekly occurrence on that day, bounded by its validity too.
        item.update(
            dtstart=rule.dtstart.isoformat(),
            freq="WEEKLY",
            interval=1,
            byday=WEEKDAYS[rule.dtstart.weekday()],
            count=1,
            wkst="MO",
            valid_from=(rule.valid_from or rule.dtstart).isoformat(),
            valid_to=(rule.valid_to or rule.dtstart).isoformat(),
        )
    else:
        item.update(freq=rule.freq, interval=rule.interval, wkst="MO")
        if rule.byday:
            item["byday"] = ",".join(ref.to_ical() for ref in rule.byday)
        if rule.bymonthday:
            item["bymonthday"] = ",".join(str(day) for day in rule.bymonthday)
        if rule.dtstart:
            item["dtstart"] = rule.dtstart.isoformat()
        if rule.until:
            item["until"] = rule.until.isoformat()
        if rule.count is not None:
            item["count"] = rule.count
        if rule.valid_from:
            item["valid_from"] = rule.valid_from.isoformat()
        if rule.valid_to:
            item["valid_to"] = rule.valid_to.isoformat()
    item.update(_times(rule.opens_at, rule.closes_at))
    if rule.description:
        item["description"] = rule.description
    if rule.notes:
        item["notes"] = rule.notes
    if rule.appointment_only:
        item["attending_type"] = "By appointment only"
    item[EXTENSION] = {
        "kind": rule.kind,
        "single_date": rule.freq is None,
        "appointment_only": rule.appointment_only,
        "open_on_holidays": rule.open_on_holidays,
        "tzid": "Europe/Berlin",
    }
    return item


def _closures_for(
    rule: Rule, exceptions: Sequence[ScheduleExceptionValue]
) -> list[tuple[date, date]]:
    ranges = sorted(
        (exc.starts_on, exc.ends_on)
        for exc in exceptions
        if exc.kind == "closed" and exc.schedule_id in (None, rule.id)
    )
    merged: list[tuple[date, date]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _segments(
    rule: Rule, closures: list[tuple[date, date]]
) -> list[tuple[date | None, date | None]]:
    """Validity windows of a rule around its closures."""
    first = rule.valid_from
    last = rule.valid_to
    if rule.until and (last is None or rule.until < last):
        last = rule.until
    segments: list[tuple[date | None, date | None]] = []
    current = first
    for start, end in closures:
        if last is not None and start > last:
            break
        if current is not None and end < current:
            continue
        if rule.anchor is not None and end < rule.anchor:
            continue
        before = start - timedelta(days=1)
        if current is None or current <= before:
            segments.append((current, before))
        current = end + timedelta(days=1)
    if last is None or current is None or current <= last:
        segments.append((current, rule.valid_to))
    return segments


def schedules_to_hsds(
    rules: Iterable[Rule], exceptions: Sequence[ScheduleExceptionValue] = ()
) -> list[dict[str, Any]]:
    """HSDS schedule objects of an owner's rules, with closures and extra dates as own rows."""
    items: list[dict[str, Any]] = []
    for rule in rules:
        base = schedule_to_hsds(rule)
        closures = _closures_for(rule, exceptions) if rule.freq is not None else []
        if not closures:
            items.append(base)
            continue
        segments = _segments(rule, closures)
        own = [
            {
                "id": str(exc.id),
                "starts_on": exc.starts_on.isoformat(),
                "ends_on": exc.ends_on.isoformat(),
                "description": exc.description,
                "rule_only": exc.schedule_id is not None,
            }
            for exc in exceptions
            if exc.kind == "closed" and exc.schedule_id in (None, rule.id)
        ]
        for index, (seg_from, seg_to) in enumerate(segments):
            item = dict(base)
            item.pop("valid_from", None)
            item.pop("valid_to", None)
            if seg_from:
                item["valid_from"] = seg_from.isoformat()
            if seg_to:
                item["valid_to"] = seg_to.isoformat()
            extension = dict(base[EXTENSION])
            if index == 0:
                extension["valid_from"] = rule.valid_from.isoformat() if rule.valid_from else None
                extension["valid_to"] = rule.valid_to.isoformat() if rule.valid_to else None
                extension["closures"] = own
            else:
                item["id"] = str(uuid.uuid5(rule.id, f"segment-{index}"))
                extension["derived_from"] = str(rule.id)
            item[EXTENSION] = extension
            items.append(item)
        if not segments:
            # Closed for the whole validity: keep the rule (and its closures) for Lotse.
            base[EXTENSION] = {**base[EXTENSION], "closures": own, "closed_throughout": True}
            items.append(base)
    for exc in exceptions:
        if exc.kind != "extra":
            continue
        item = {
            "id": str(exc.id),
            **_owner_ids(exc),
            "dtstart": exc.starts_on.isoformat(),
            "freq": "WEEKLY",
            "interval": 1,
            "wkst": "MO",
            "byday": ",".join(
                sorted(
                    {
                        WEEKDAYS[(exc.starts_on + timedelta(days=i)).weekday()]
                        for i in range(7)
                        if exc.starts_on + timedelta(days=i) <= exc.ends_on
                    },
                    key=WEEKDAYS.index,
                )
            ),
            "until": exc.ends_on.isoformat(),
            "valid_from": exc.starts_on.isoformat(),
            "valid_to": exc.ends_on.isoformat(),
            **_times(exc.opens_at, exc.closes_at),
            EXTENSION: {
                "exception": "extra",
                "schedule_id": str(exc.schedule_id) if exc.schedule_id else None,
                "tzid": "Europe/Berlin",
            },
        }
        if exc.description:
            item["description"] = exc.description
        items.append(item)
    return items
