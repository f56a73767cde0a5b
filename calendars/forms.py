"""The schedule editor's forms, read into rules and exceptions (validated; errors in words)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any, Protocol
from uuid import UUID

from calendars.rules import (
    WEEKDAYS,
    DayRef,
    Rule,
    RuleError,
    ScheduleExceptionValue,
    validate_exception,
    validate_rule,
)
from core.i18n import N_

RULE_FORMS = ("weekly", "monthly", "course", "single")


class FormData(Protocol):
    def get(self, key: str, /) -> Any: ...

    def getall(self, key: str) -> list[Any]: ...


def _text(form: FormData, name: str, limit: int = 1000) -> str:
    value = form.get(name)
    return str(value).strip()[:limit] if isinstance(value, str) else ""


def _date(form: FormData, name: str, required: bool = False) -> date | None:
    raw = _text(form, name, 20)
    if not raw:
        if required:
            raise RuleError(N_("Please enter a date"))
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise RuleError(N_("{value} is not a date (use YYYY-MM-DD)"), value=raw) from None


def _time(form: FormData, name: str, required: bool = False) -> time | None:
    raw = _text(form, name, 10)
    if not raw:
        if required:
            raise RuleError(N_("Please enter the opening and closing time"))
        return None
    try:
        return time.fromisoformat(raw if len(raw) != 4 else "0" + raw).replace(second=0)
    except ValueError:
        raise RuleError(N_("{value} is not a time (use HH:MM)"), value=raw) from None


def _int(form: FormData, name: str, low: int, high: int) -> int | None:
    raw = _text(form, name, 10)
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise RuleError(N_("{value} is not a whole number"), value=raw) from None
    if not low <= value <= high:
        raise RuleError(N_("Enter a number between {low} and {high}"), low=low, high=high)
    return value


def _all(form: FormData, name: str) -> list[Any]:
    # A multidict has no entry at all for boxes none of which were ticked.
    try:
        return list(form.getall(name))
    except KeyError:
        return []


def _flag(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "true", "1", "yes")


def _weekdays(values: Sequence[Any]) -> tuple[DayRef, ...]:
    days = sorted({WEEKDAYS.index(v) for v in values if isinstance(v, str) and v in WEEKDAYS})
    return tuple(DayRef(day) for day in days)


def rule_from_form(form: FormData, service_id: UUID) -> Rule:
    """A new rule from one of the editor's forms: weekly, monthly, course or single."""
    which = _text(form, "form", 20)
    if which not in RULE_FORMS:
        raise RuleError(N_("Unknown form; reload the page"))
    common: dict[str, Any] = {
        "service_id": service_id,
        "notes": _text(form, "notes"),
        "description": _text(form, "description", 500),
        "appointment_only": _flag(form, "appointment_only"),
        "open_on_holidays": _flag(form, "open_on_holidays"),
        "valid_from": _date(form, "valid_from"),
        "valid_to": _date(form, "valid_to"),
    }
    if which == "single":
        opens = _time(form, "opens_at")
        closes = _time(form, "closes_at")
        return validate_rule(
            Rule(
                kind="single",
                freq=None,
                dtstart=_date(form, "dtstart", required=True),
                opens_at=opens,
                closes_at=closes,
                **common,
            )
        )
    opens = _time(form, "opens_at", required=True)
    closes = _time(form, "closes_at", required=True)
    if which == "monthly":
        ordinal = _int(form, "ordinal", -1, 5)
        weekday = _text(form, "weekday", 2)
        if ordinal in (None, 0) or weekday not in WEEKDAYS:
            raise RuleError(N_("Choose which weekday of the month"))
        assert ordinal is not None
        return validate_rule(
            Rule(
                kind="hours",
                freq="MONTHLY",
                interval=_int(form, "interval", 1, 12) or 1,
                byday=(DayRef(WEEKDAYS.index(weekday), ordinal),),
                dtstart=_date(form, "dtstart"),
                opens_at=opens,
                closes_at=closes,
                **common,
            )
        )
    byday = _weekdays(_all(form, "byday"))
    if not byday:
        raise RuleError(N_("Choose at least one weekday"))
    if which == "course":
        until = _date(form, "until")
        count = _int(form, "count", 1, 500)
        if until is None and count is None:
            raise RuleError(N_("A course needs its last date or its number of sessions"))
        return validate_rule(
            Rule(
                kind="course",
                freq="WEEKLY",
                interval=_int(form, "interval", 1, 4) or 1,
                byday=byday,
                dtstart=_date(form, "dtstart", required=True),
                until=until,
                count=count,
                opens_at=opens,
                closes_at=closes,
                **common,
            )
        )
    return validate_rule(
        Rule(
            kind="hours",
            freq="WEEKLY",
            interval=_int(form, "interval", 1, 4) or 1,
            byday=byday,
            dtstart=_date(form, "dtstart"),
            opens_at=opens,
            closes_at=closes,
            **common,
        )
    )


def exception_from_form(form: FormData, service_id: UUID) -> ScheduleExceptionValue:
    kind = _text(form, "kind", 10)
    if kind not in ("closed", "extra"):
        raise RuleError(N_("Unknown form; reload the page"))
    starts_on = _date(form, "starts_on", required=True)
    assert starts_on is not None
    ends_on = _date(form, "ends_on") or starts_on
    opens = _time(form, "opens_at") if kind == "extra" else None
    closes = _time(form, "closes_at") if kind == "extra" else None
    return validate_exception(
        ScheduleExceptionValue(
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            opens_at=opens,
            closes_at=closes,
            description=_text(form, "description", 500),
            service_id=service_id,
        )
    )


@dataclass(frozen=True)
class SlotRequest:
    day: date
    first: time
    last: time
    minutes: int
    location: str
    note: str


def slots_from_form(form: FormData, today: date) -> SlotRequest:
    """A day with a first and last time, cut into slots of some minutes."""
    day = _date(form, "day", required=True)
    first = _time(form, "first", required=True)
    last = _time(form, "last", required=True)
    assert day is not None and first is not None and last is not None
    if day < today:
        raise RuleError(N_("Slots can only be offered for today or later"))
    return SlotRequest(
        day=day,
        first=first,
        last=last,
        minutes=_int(form, "minutes", 5, 480) or 45,
        location=_text(form, "location_id", 40),
        note=_text(form, "note", 255),
    )


def typed_values(form: FormData, which: str) -> dict[str, Any]:
    """What a refused form held, to show it again as typed (`which` names the form)."""
    names = ("opens_at", "closes_at", "interval", "dtstart", "valid_from", "valid_to", "until",
             "count", "notes", "ordinal", "weekday", "appointment_only", "open_on_holidays",
             "starts_on", "ends_on", "description", "day", "first", "last", "minutes",
             "location_id", "note")
    values: dict[str, Any] = {name: _text(form, name) for name in names}
    values["byday"] = [v for v in _all(form, "byday") if isinstance(v, str)]
    values["form"] = which
    return values


def rule_values(rule: Rule) -> dict[str, Any]:
    """A stored rule as the values of the editor form it would have been made with."""
    if rule.kind == "single":
        which = "single"
    elif rule.freq == "MONTHLY":
        which = "monthly"
    else:
        which = "course" if rule.kind == "course" else "weekly"

    def iso(value: date | None) -> str:
        return value.isoformat() if value else ""

    def hhmm(value: time | None) -> str:
        return value.strftime("%H:%M") if value else ""

    first = rule.byday[0] if rule.byday else None
    return {
        "form": which,
        "opens_at": hhmm(rule.opens_at), "closes_at": hhmm(rule.closes_at),
        "interval": str(rule.interval), "dtstart": iso(rule.dtstart),
        "valid_from": iso(rule.valid_from), "valid_to": iso(rule.valid_to),
        "until": iso(rule.until), "count": str(rule.count or ""), "notes": rule.notes,
        "byday": [WEEKDAYS[ref.weekday] for ref in rule.byday],
        "ordinal": str(first.ordinal) if first and first.ordinal else "",
        "weekday": WEEKDAYS[first.weekday] if first else "",
        "appointment_only": "on" if rule.appointment_only else "",
        "open_on_holidays": "on" if rule.open_on_holidays else "",
    }
