"""Schedules and opening states in words, German or English ("Öffnet Do 14:00")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from babel.dates import format_date, get_day_names

from calendars.compute import OpeningLabel
from calendars.rules import Rule, ScheduleExceptionValue
from core.time import BERLIN

Translate = Callable[[str], str]


def locale_of(lang: str) -> str:
    return "de" if lang.startswith("de") else "en"


def day_abbr(weekday: int, lang: str) -> str:
    return str(get_day_names("abbreviated", locale=locale_of(lang))[weekday]).rstrip(".")


def day_name(weekday: int, lang: str) -> str:
    return str(get_day_names("wide", locale=locale_of(lang))[weekday])


def short_date(day: date, lang: str) -> str:
    return str(format_date(day, "medium", locale=locale_of(lang)))


def long_date(day: date, lang: str) -> str:
    return str(format_date(day, "full", locale=locale_of(lang)))


def hhmm(value: time | datetime) -> str:
    return value.strftime("%H:%M")


def hours_text(opens: time | None, closes: time | None, _: Translate) -> str:
    if opens is None:
        return _("all day")
    if closes is None:
        return _("from {start}").format(start=hhmm(opens))
    return f"{hhmm(opens)}–{hhmm(closes)}"


def _ordinal(ordinal: int, _: Translate) -> str:
    names = {
        1: _("first"),
        2: _("second"),
        3: _("third"),
        4: _("fourth"),
        5: _("fifth"),
        -1: _("last"),
        -2: _("second to last"),
    }
    return names.get(ordinal, str(ordinal))


def rule_text(rule: Rule, lang: str, _: Translate) -> str:
    """One line a person can check: "Mo, Di 09:00–12:00, every 2 weeks from 05.01.2027"."""
    hours = hours_text(rule.opens_at, rule.closes_at, _)
    if rule.freq is None:
        assert rule.dtstart is not None
        return f"{long_date(rule.dtstart, lang)}, {hours}"
    parts: list[str] = []
    if rule.freq == "WEEKLY":
        days = ", ".join(day_abbr(ref.weekday, lang) for ref in rule.byday)
        if not days and rule.anchor:
            days = day_abbr(rule.anchor.weekday(), lang)
        parts.append(f"{days} {hours}")
        if rule.interval > 1:
            parts.append(_("every {n} weeks").format(n=rule.interval))
    else:
        names = [
            _("every {which} {day} of the month").format(
                which=_ordinal(ref.ordinal, _), day=day_name(ref.weekday, lang)
            )
            if ref.ordinal
            else day_name(ref.weekday, lang)
            for ref in rule.byday
        ]
        names += [
            _("on day {n} of the month").format(n=d) if d > 0 else _("on the last day of the month")
            for d in rule.bymonthday
        ]
        parts.append(f"{', '.join(names) or _('monthly')} {hours}")
        if rule.interval > 1:
            parts.append(_("every {n} months").format(n=rule.interval))
    start = max(d for d in (rule.dtstart, rule.valid_from, date.min) if d is not None)
    if start != date.min:
        parts.append(_("from {date}").format(date=short_date(start, lang)))
    end_candidates = [d for d in (rule.until, rule.valid_to) if d is not None]
    if end_candidates:
        parts.append(_("until {date}").format(date=short_date(min(end_candidates), lang)))
    if rule.count:
        parts.append(_("{n} times").format(n=rule.count))
    return ", ".join(parts)


def exception_text(exc: ScheduleExceptionValue, lang: str, _: Translate) -> str:
    if exc.starts_on == exc.ends_on:
        span = long_date(exc.starts_on, lang)
    else:
        span = f"{short_date(exc.starts_on, lang)} – {short_date(exc.ends_on, lang)}"
    if exc.kind == "closed":
        return _("Closed: {span}").format(span=span)
    return _("Extra opening: {span}, {hours}").format(
        span=span, hours=hours_text(exc.opens_at, exc.closes_at, _)
    )


@dataclass(frozen=True)
class LabelText:
    state: str  # open | closed | unknown: the CSS class and the data attribute
    text: str


def label_text(label: OpeningLabel, now: datetime, lang: str, _: Translate) -> LabelText:
    """ "Open now until 17:00" / "Opens Thu 14:00" / "Opens on 11.01.2027 at 09:00"."""
    suffix = f" ({_('by appointment')})" if label.appointment_only else ""
    if label.state == "open" and label.until is not None:
        until = label.until.astimezone(BERLIN)
        if until.time() == time(0) and until.date() > now.astimezone(BERLIN).date():
            text = _("Open now, all day")
        else:
            text = _("Open now until {time}").format(time=hhmm(until))
        return LabelText("open", text + suffix)
    if label.state == "closed" and label.next_start is not None:
        start = label.next_start.astimezone(BERLIN)
        today = now.astimezone(BERLIN).date()
        days = (start.date() - today).days
        if days == 0:
            text = _("Opens today at {time}").format(time=hhmm(start))
        elif days == 1:
            text = _("Opens tomorrow at {time}").format(time=hhmm(start))
        elif days < 7:
            text = _("Opens {day} {time}").format(
                day=day_abbr(start.weekday(), lang), time=hhmm(start)
            )
        else:
            text = _("Opens on {date} at {time}").format(
                date=short_date(start.date(), lang), time=hhmm(start)
            )
        return LabelText("closed", text + suffix)
    if label.state == "closed":
        return LabelText("closed", _("No upcoming opening hours"))
    return LabelText("unknown", _("No opening hours given"))


def course_text(start: date | None, lang: str, _: Translate) -> str | None:
    if start is None:
        return None
    return _("Course starts on {date}").format(date=short_date(start, lang))


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=offset) for offset in range(7)]
