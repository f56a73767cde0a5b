"""Reading single VEVENTs: their times in Berlin wall time and whether their RRULE fits a
schedule row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from icalendar import Component

from calendars.rules import MAX_INTERVAL, WEEKDAYS, DayRef, Rule
from core.errors import N_, ReadableError
from core.time import BERLIN

REPRESENTABLE_PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT", "WKST"}


class IcsImportError(ReadableError):
    """The calendar cannot be imported; nothing was changed. The message says why."""


@dataclass(frozen=True)
class EventTimes:
    day: date
    opens: time | None
    closes: time | None
    # All-day events may span several days (DTEND or DURATION); each day is an opening.
    days: int = 1


@dataclass(frozen=True)
class Notice:
    """One change the import made or one thing it left out, in words a person can check."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, gettext: Any = None) -> str:
        template = gettext(self.message) if gettext else self.message
        return template.format(**self.params) if self.params else template

    def __str__(self) -> str:
        return self.text()


def label_of(event: Component) -> str:
    """How a person finds the event in their calendar program: its title, else its UID."""
    summary = str(event.get("SUMMARY") or "").strip()
    return (summary or str(event.get("UID") or "").strip() or "?")[:80]


def text_of(component: Component, name: str, limit: int = 1000) -> str:
    value = component.get(name)
    return str(value).strip()[:limit] if value is not None else ""


def local(value: date | datetime) -> date | datetime:
    """Berlin wall time of a DTSTART/DTEND value; floating times are taken as Berlin time."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=BERLIN)
        return value.astimezone(BERLIN)
    return value


def check_zone(component: Component, name: str) -> None:
    prop = component.get(name)
    if prop is None:
        return
    values = prop if isinstance(prop, list) else [prop]
    for item in values:
        tzid = item.params.get("TZID") if hasattr(item, "params") else None
        inner = getattr(item, "dt", None)
        if inner is None and hasattr(item, "dts"):
            inner = item.dts[0].dt if item.dts else None
        if tzid and isinstance(inner, datetime) and inner.tzinfo is None:
            raise IcsImportError(
                N_("The calendar uses the unknown time zone {zone} and does not define it"),
                zone=tzid,
            )


def value_of(component: Component, name: str) -> Any:
    """The decoded value of a date property (icalendar types it as a wide union)."""
    prop: Any = component[name]
    return prop.dt


def event_times(event: Component, notices: list[Any]) -> EventTimes | None:
    """The event's day and opening times in Berlin, or None (with a notice saying why)."""
    label = label_of(event)
    if event.get("DTSTART") is None:
        notices.append(
            Notice(N_("Event “{event}” has no start and was left out"), {"event": label})
        )
        return None
    start = local(value_of(event, "DTSTART"))
    if "DTEND" in event:
        end: date | datetime = local(value_of(event, "DTEND"))
    elif "DURATION" in event:
        end = start + value_of(event, "DURATION")
    else:
        # RFC 5545: without an end a timed event takes no time and an all-day event one day.
        end = start if isinstance(start, datetime) else start + timedelta(days=1)
    if not isinstance(start, datetime):
        last = end.date() if isinstance(end, datetime) else end
        return EventTimes(start, None, None, max(1, (last - start).days))
    if not isinstance(end, datetime):
        end = datetime.combine(end, time(0), tzinfo=BERLIN)
    if end < start:
        notices.append(
            Notice(N_("Event “{event}” ends before it starts and was left out"), {"event": label})
        )
        return None
    opens = start.time().replace(second=0, microsecond=0, tzinfo=None)
    if end == start:
        notices.append(
            Notice(
                N_("Event “{event}” has no duration; it was imported with its start time {time} "
                   "and no closing time"),
                {"event": label, "time": opens.strftime("%H:%M")},
            )
        )
        return EventTimes(start.date(), opens, None)
    closes: time | None = None
    if end.date() == start.date():
        closes = end.time().replace(second=0, microsecond=0, tzinfo=None)
        if closes <= opens:
            closes = None
    elif end != datetime.combine(start.date() + timedelta(days=1), time(0), tzinfo=BERLIN):
        notices.append(
            Notice(
                N_("Event “{event}” runs past midnight; it was imported on its first day only, "
                   "without a closing time"),
                {"event": label},
            )
        )
    return EventTimes(start.date(), opens, closes)


def recur_parts(rrule: Any) -> dict[str, list[Any]]:
    return {str(key).upper(): list(value) for key, value in rrule.items()}


def byday_of(values: Iterable[str], monthly: bool) -> tuple[DayRef, ...] | None:
    refs: list[DayRef] = []
    for raw in values:
        text = str(raw).upper()
        day = text[-2:]
        number = text[:-2]
        if day not in WEEKDAYS:
            return None
        ordinal = int(number) if number not in ("", "+") else None
        if ordinal is not None and (not monthly or ordinal == 0 or abs(ordinal) > 5):
            return None
        refs.append(DayRef(WEEKDAYS.index(day), ordinal))
    return tuple(refs)


def until_day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.date()
        return value.astimezone(BERLIN).date()
    return value


def same_week_either_way(byday: tuple[DayRef, ...], wkst: str) -> bool:
    """Whether the weekdays fall into the same weeks whether weeks start on Monday or `wkst`."""
    if wkst not in WEEKDAYS:
        return False
    split = WEEKDAYS.index(wkst)
    return len({ref.weekday >= split for ref in byday}) <= 1


def rule_from_rrule(parts: dict[str, list[Any]], base: Rule) -> Rule | None:
    """The schedule row equal to this RRULE, or None when a row cannot say it."""
    freq = str(parts["FREQ"][0]).upper()
    if (
        freq == "MONTHLY"
        and len(parts.get("BYSETPOS", [])) == 1
        and len(parts.get("BYDAY", [])) == 1
        and str(parts["BYDAY"][0]).upper() in WEEKDAYS
    ):
        # Outlook writes "first Saturday" as BYDAY=SA;BYSETPOS=1.
        position = int(parts.pop("BYSETPOS")[0])
        parts["BYDAY"] = [f"{position}{str(parts['BYDAY'][0]).upper()}"]
    if set(parts) - REPRESENTABLE_PARTS:
        return None
    interval = int(parts.get("INTERVAL", [1])[0])
    wkst = str(parts.get("WKST", ["MO"])[0]).upper()
    if interval > MAX_INTERVAL:
        return None
    byday = byday_of(parts.get("BYDAY", []), freq == "MONTHLY")
    if byday is None:
        return None
    bymonthday = tuple(int(day) for day in parts.get("BYMONTHDAY", []))
    if freq == "DAILY":
        if interval != 1 or bymonthday:
            return None
        freq = "WEEKLY"
        byday = byday or tuple(DayRef(i) for i in range(7))
    if freq not in ("WEEKLY", "MONTHLY"):
        return None
    if freq == "WEEKLY" and interval > 1 and not same_week_either_way(byday, wkst):
        # Which days share a week depends on the week start; ours is Monday.
        return None
    until = until_day(parts["UNTIL"][0]) if "UNTIL" in parts else None
    count = int(parts["COUNT"][0]) if "COUNT" in parts else None
    return base.with_changes(
        freq=freq,
        interval=interval,
        byday=byday,
        bymonthday=bymonthday,
        until=until,
        count=count,
    )


def date_values(event: Component, name: str) -> list[date | datetime]:
    prop = event.get(name)
    if prop is None:
        return []
    found: list[date | datetime] = []
    for item in prop if isinstance(prop, list) else [prop]:
        found.extend(entry.dt for entry in item.dts)
    return found


def local_day(value: date | datetime) -> date:
    moment = local(value)
    return moment.date() if isinstance(moment, datetime) else moment
