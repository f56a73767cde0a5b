"""Computations on schedules: openings in a window, open at, next opening, next course start,
weekly open intervals.

Rules are expanded with dateutil only within a bounded window of dates, in Europe/Berlin wall
time, and then turned into instants, so an opening at 09:00 stays at 09:00 across the
daylight-saving changes. Instants are handled in UTC so comparisons never depend on folds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from dateutil import rrule as du

from calendars.rules import Rule, ScheduleExceptionValue
from calendars.workdays import is_holiday

# The kernel's zone, re-exported for modules that import it from here.
from core.time import BERLIN as BERLIN

WEEK_MINUTES = 7 * 24 * 60
# How far "next opening" and "next course start" look ahead.
DEFAULT_HORIZON_DAYS = 400

_DU_WEEKDAYS = (du.MO, du.TU, du.WE, du.TH, du.FR, du.SA, du.SU)


@dataclass(frozen=True, slots=True)
class Opening:
    """One concrete opening interval; start and end are UTC instants."""

    start: datetime
    end: datetime
    rule_id: UUID | None
    kind: str
    appointment_only: bool = False
    extra: bool = False

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(BERLIN)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(BERLIN)

    @property
    def day(self) -> date:
        return self.local_start.date()


def local_instant(day: date, at: time | None) -> datetime:
    """The UTC instant of a Berlin wall-clock time (midnight when `at` is None)."""
    wall = datetime.combine(day, at or time(0, 0), tzinfo=BERLIN)
    return wall.astimezone(UTC)


def berlin_day(moment: datetime) -> date:
    if moment.tzinfo is None:
        raise ValueError("moments must be timezone-aware")
    return moment.astimezone(BERLIN).date()


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def _first_of_month_plus(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def _rrule(rule: Rule, first: date) -> du.rrule | None:
    """A dateutil rule producing the rule's raw days, started close to `first` when that is
    equivalent (no COUNT), so that expansion cost does not grow with the rule's age."""
    anchor = rule.anchor or first
    byweekday: list[du.weekday] | None = None
    bymonthday: list[int] | None = None
    if rule.byday:
        byweekday = [
            _DU_WEEKDAYS[ref.weekday](ref.ordinal) if ref.ordinal else _DU_WEEKDAYS[ref.weekday]
            for ref in rule.byday
        ]
    if rule.bymonthday:
        bymonthday = list(rule.bymonthday)
    if rule.freq == "WEEKLY" and byweekday is None:
        byweekday = [_DU_WEEKDAYS[anchor.weekday()]]
    if rule.freq == "MONTHLY" and byweekday is None and bymonthday is None:
        bymonthday = [anchor.day]
    start = anchor
    if rule.count is None and first > anchor:
        if rule.freq == "WEEKLY":
            anchor_monday = anchor - timedelta(days=anchor.weekday())
            weeks = (first - anchor_monday).days // 7
            skip = (weeks // rule.interval) * rule.interval
            if skip > 0:
                start = anchor_monday + timedelta(weeks=skip)
        else:
            months = _months_between(anchor, first)
            skip = (months // rule.interval) * rule.interval
            if skip > 0:
                start = _first_of_month_plus(anchor, skip)
    until = datetime.combine(rule.until, time(23, 59)) if rule.until else None
    return du.rrule(
        du.WEEKLY if rule.freq == "WEEKLY" else du.MONTHLY,
        dtstart=datetime.combine(start, time(0, 0)),
        interval=rule.interval,
        wkst=du.MO,
        count=rule.count,
        until=until,
        byweekday=byweekday,
        bymonthday=bymonthday,
    )


def _weekly_days(rule: Rule, first: date, last: date) -> Iterator[date]:
    """WEEKLY without COUNT by plain date arithmetic: the common case, and much faster than
    building a dateutil rule for every offer and week (equal results are tested)."""
    anchor = rule.anchor or first
    weekdays = {ref.weekday for ref in rule.byday} or {anchor.weekday()}
    start = max(first, anchor)
    end = min(last, rule.until) if rule.until else last
    anchor_monday = anchor - timedelta(days=anchor.weekday())
    day = start
    while day <= end:
        if day.weekday() in weekdays and (
            rule.interval == 1 or ((day - anchor_monday).days // 7) % rule.interval == 0
        ):
            yield day
        day += timedelta(days=1)


def raw_days(rule: Rule, first: date, last: date) -> Iterator[date]:
    """Days the rule itself produces in [first, last], before validity and exceptions."""
    if last < first:
        return
    if rule.freq is None:
        if rule.dtstart is not None and first <= rule.dtstart <= last:
            yield rule.dtstart
        return
    if rule.freq == "WEEKLY" and rule.count is None:
        yield from _weekly_days(rule, first, last)
        return
    generator = _rrule(rule, first)
    if generator is None:
        return
    stop = datetime.combine(last, time(23, 59))
    for moment in generator.xafter(datetime.combine(first, time(0, 0)), inc=True):
        if moment > stop:
            break
        yield moment.date()


def rule_days(
    rule: Rule,
    first: date,
    last: date,
    exceptions: Sequence[ScheduleExceptionValue] = (),
) -> Iterator[date]:
    """Days on which the rule is open in [first, last]: validity, closures and holidays applied."""
    if rule.valid_from and first < rule.valid_from:
        first = rule.valid_from
    if rule.valid_to and last > rule.valid_to:
        last = rule.valid_to
    closures = [
        exc
        for exc in exceptions
        if exc.kind == "closed"
        and (exc.schedule_id is None or exc.schedule_id == rule.id)
        and exc.ends_on >= first
        and exc.starts_on <= last
    ]
    # A single date is entered for its day, so a public holiday does not cancel it.
    closes_on_holidays = not rule.open_on_holidays and rule.freq is not None
    for day in raw_days(rule, first, last):
        if closes_on_holidays and is_holiday(day):
            continue
        if any(exc.covers(day) for exc in closures):
            continue
        yield day


def _opening(day: date, opens: time | None, closes: time | None) -> tuple[datetime, datetime]:
    start = local_instant(day, opens)
    if opens is None or closes is None:
        end = local_instant(day + timedelta(days=1), None)
    else:
        end = local_instant(day, closes)
    return start, end


def openings(
    rules: Iterable[Rule],
    exceptions: Sequence[ScheduleExceptionValue],
    first: date,
    last: date,
) -> list[Opening]:
    """All opening intervals on the Berlin days first..last, sorted by start."""
    found: list[Opening] = []
    for rule in rules:
        for day in rule_days(rule, first, last, exceptions):
            start, end = _opening(day, rule.opens_at, rule.closes_at)
            found.append(Opening(start, end, rule.id, rule.kind, rule.appointment_only))
    for exc in exceptions:
        if exc.kind != "extra":
            continue
        day = max(exc.starts_on, first)
        while day <= min(exc.ends_on, last):
            start, end = _opening(day, exc.opens_at, exc.closes_at)
            found.append(Opening(start, end, exc.schedule_id, "single", extra=True))
            day += timedelta(days=1)
    found.sort(key=lambda o: (o.start, o.end))
    return found


def open_at(
    rules: Sequence[Rule], exceptions: Sequence[ScheduleExceptionValue], moment: datetime
) -> Opening | None:
    """The opening that contains `moment`, or None when closed."""
    day = berlin_day(moment)
    current = moment.astimezone(UTC)
    for opening in openings(rules, exceptions, day - timedelta(days=1), day):
        if opening.start <= current < opening.end:
            return opening
    return None


def next_opening(
    rules: Sequence[Rule],
    exceptions: Sequence[ScheduleExceptionValue],
    after: datetime,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> Opening | None:
    """The first opening starting after `after`, looking ahead at most `horizon_days`."""
    current = after.astimezone(UTC)
    first = berlin_day(after)
    horizon = first + timedelta(days=horizon_days)
    span = 14
    while first <= horizon:
        last = min(first + timedelta(days=span - 1), horizon)
        for opening in openings(rules, exceptions, first, last):
            if opening.start > current:
                return opening
        first = last + timedelta(days=1)
        span = min(span * 2, 128)
    return None


def first_day(
    rule: Rule, exceptions: Sequence[ScheduleExceptionValue], scan_days: int = 120
) -> date | None:
    """The first day the rule is open on, scanning at most `scan_days` from its anchor."""
    anchor = rule.anchor
    if anchor is None:
        return None
    if rule.valid_from and rule.valid_from > anchor:
        anchor = rule.valid_from
    return next(iter(rule_days(rule, anchor, anchor + timedelta(days=scan_days), exceptions)), None)


def next_course_start(
    rules: Sequence[Rule],
    exceptions: Sequence[ScheduleExceptionValue],
    today: date,
    horizon_days: int = 2 * 365,
) -> date | None:
    """The first session of the next course that has not started before `today`.

    A course rule without a first date counts with its next session.
    """
    horizon = today + timedelta(days=horizon_days)
    starts: list[date] = []
    for rule in rules:
        if rule.kind != "course":
            continue
        if rule.anchor is None:
            upcoming = next(iter(rule_days(rule, today, horizon, exceptions)), None)
        else:
            upcoming = first_day(rule, exceptions)
        if upcoming is not None and today <= upcoming <= horizon:
            starts.append(upcoming)
    return min(starts) if starts else None


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_intervals(
    rules: Sequence[Rule], exceptions: Sequence[ScheduleExceptionValue], monday: date
) -> list[tuple[int, int]]:
    """Open intervals of the week starting `monday`, in wall-clock minutes since Monday 00:00
    Europe/Berlin (0..10080), merged and sorted."""
    spans: list[tuple[int, int]] = []
    for opening in openings(rules, exceptions, monday, monday + timedelta(days=6)):
        start, end = opening.local_start, opening.local_end
        offset = (start.date() - monday).days * 1440
        begin = offset + start.hour * 60 + start.minute
        finish = (end.date() - monday).days * 1440 + end.hour * 60 + end.minute
        spans.append((begin, min(finish, WEEK_MINUTES)))
    return merge_intervals(spans)


def merge_intervals(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for begin, finish in sorted(spans):
        if finish <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


@dataclass(frozen=True, slots=True)
class OpeningLabel:
    """What lists show: open now (until when) or the next opening; unknown without schedules."""

    state: str  # open | closed | unknown
    until: datetime | None = None
    next_start: datetime | None = None
    appointment_only: bool = False


def opening_label(
    rules: Sequence[Rule],
    exceptions: Sequence[ScheduleExceptionValue],
    now: datetime,
) -> OpeningLabel:
    hours = [rule for rule in rules if rule.kind != "course"]
    extras = [exc for exc in exceptions if exc.kind == "extra"]
    if not hours and not extras:
        return OpeningLabel("unknown")
    current = open_at(hours, exceptions, now)
    if current is not None:
        # Back-to-back intervals (09-12, 12-15) read as one: open until 15:00.
        until = current.end
        day = current.day
        for later in openings(hours, exceptions, day, day + timedelta(days=1)):
            if later.start <= until < later.end:
                until = later.end
        return OpeningLabel("open", until=until, appointment_only=current.appointment_only)
    upcoming = next_opening(hours, exceptions, now)
    if upcoming is None:
        return OpeningLabel("closed")
    return OpeningLabel(
        "closed", next_start=upcoming.start, appointment_only=upcoming.appointment_only
    )
