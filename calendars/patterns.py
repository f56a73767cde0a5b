"""The times that matter for taking part in an offer: a course's sessions where it has a
course, its hours otherwise, for the search filter and for the one line a result card shows
("Kurs: Mo–Fr 08:30–12:45", "Sprechzeit: Di 10:00–12:00")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta

from calendars.compute import next_course_start, week_intervals, week_monday
from calendars.describe import Translate, day_abbr, hours_text, rule_text
from calendars.rules import Rule, ScheduleExceptionValue


def _current(rules: Sequence[Rule], today: date) -> list[Rule]:
    """Rules that have not ended before today."""
    return [r for r in rules if all(end is None or end >= today for end in (r.until, r.valid_to))]


def courses_of(rules: Sequence[Rule], today: date) -> list[Rule]:
    return [r for r in _current(rules, today) if r.kind == "course"]


def search_intervals(
    rules: Sequence[Rule], exceptions: Sequence[ScheduleExceptionValue], today: date
) -> list[tuple[int, int]]:
    """Weekly open intervals (minutes since Monday 00:00, Berlin) to match "open on Monday at
    09:00" against: the sessions of the running or next course, else the hours."""
    courses = courses_of(rules, today)
    if not courses:
        return week_intervals([r for r in rules if r.kind != "course"], exceptions,
                              week_monday(today))
    monday = week_monday(today)
    running = week_intervals(courses, exceptions, monday)
    if running:
        return running
    start = next_course_start(courses, exceptions, today)
    if start is None:
        return []
    # The first week may begin mid-week: take it with the week after.
    first = week_monday(start)
    spans = week_intervals(courses, exceptions, first)
    spans += week_intervals(courses, exceptions, first + timedelta(days=7))
    return sorted(set(spans))


def _day_ranges(days: list[int], lang: str) -> str:
    """[0, 1, 2, 3, 4] -> "Mo–Fr"; [0, 2] -> "Mo, Mi"."""
    groups: list[list[int]] = []
    for day in sorted(set(days)):
        if groups and day == groups[-1][-1] + 1:
            groups[-1].append(day)
        else:
            groups.append([day])
    names = []
    for group in groups:
        first, last = day_abbr(group[0], lang), day_abbr(group[-1], lang)
        names.append(first if len(group) == 1 else
                     f"{first}, {last}" if len(group) == 2 else f"{first}–{last}")
    return ", ".join(names)


def _weekly_text(rules: Sequence[Rule], lang: str, _: Translate) -> list[str]:
    """Weekly rules with the same hours as one phrase each, other rules in full."""
    by_hours: dict[tuple[time | None, time | None], list[int]] = {}
    others: list[str] = []
    for rule in rules:
        if rule.freq == "WEEKLY" and rule.interval == 1 and rule.byday:
            key = (rule.opens_at, rule.closes_at)
            by_hours.setdefault(key, []).extend(ref.weekday for ref in rule.byday)
        else:
            others.append(rule_text(rule, lang, _))
    ordered = sorted(by_hours.items(), key=lambda item: (min(item[1]), item[0][0] or time(0)))
    phrases = [f"{_day_ranges(days, lang)} {hours_text(o, c, _)}" for (o, c), days in ordered]
    return phrases + others


def weekly_lines(rules: Sequence[Rule], today: date, lang: str, _: Translate) -> list[str]:
    """ "Kurs: Mo–Fr 08:30–12:45" and "Sprechzeit: Di 10:00–12:00", courses first."""
    current = _current(rules, today)
    lines = []
    courses = [r for r in current if r.kind == "course"]
    if courses:
        lines.append(_("Course: {times}").format(times="; ".join(_weekly_text(courses, lang, _))))
    hours = [r for r in current if r.kind == "hours" and not r.appointment_only]
    if hours:
        lines.append(
            _("Office hours: {times}").format(times="; ".join(_weekly_text(hours, lang, _)))
        )
    by_appointment = [r for r in current if r.kind == "hours" and r.appointment_only]
    if by_appointment:
        lines.append(
            _("By appointment: {times}").format(
                times="; ".join(_weekly_text(by_appointment, lang, _))
            )
        )
    return lines
