"""The period of a report: whole Berlin calendar months (a month, a quarter, a year, or a custom
range of months). Months are the finest grain on purpose: the suppression rule hides every
value that one small month could be read from (see `analysis.suppression`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from core.errors import ReadableError
from core.i18n import N_
from core.time import BERLIN

KINDS = ("month", "quarter", "year", "custom")
# A longer custom range than this is refused: the page shows one column per month.
MAX_MONTHS = 36


class PeriodError(ReadableError):
    """A period that cannot be read; the message tells the person what to enter."""


@dataclass(frozen=True)
class Period:
    first: date  # first day of the first month
    months: tuple[str, ...]  # "YYYY-MM", oldest first

    @property
    def last_day(self) -> date:
        year, month = (int(p) for p in self.months[-1].split("-"))
        return _next_month(date(year, month, 1)) - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """The first instant, in UTC."""
        return datetime(self.first.year, self.first.month, 1, tzinfo=BERLIN).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period, in UTC."""
        after = self.last_day + timedelta(days=1)
        return datetime(after.year, after.month, 1, tzinfo=BERLIN).astimezone(UTC)

    @property
    def label(self) -> str:
        if len(self.months) == 1:
            return _month_label(self.months[0])
        return f"{_month_label(self.months[0])} – {_month_label(self.months[-1])}"


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{number}/{year}"


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def months_between(first: date, last: date) -> Period:
    first = first.replace(day=1)
    last = last.replace(day=1)
    if last < first:
        raise PeriodError(N_("The period ends before it begins."))
    months: list[str] = []
    day = first
    while day <= last:
        months.append(day.strftime("%Y-%m"))
        day = _next_month(day)
        if len(months) > MAX_MONTHS:
            raise PeriodError(N_("A period spans at most 36 months."))
    return Period(first=first, months=tuple(months))


def _month_value(text: str) -> date:
    try:
        year, month = (int(p) for p in text.split("-"))
        return date(year, month, 1)
    except ValueError as error:
        raise PeriodError(N_("Enter months as YYYY-MM, for example 2026-03.")) from error


def parse(kind: str, year: int | None, number: int | None, first: str | None,
          last: str | None, today: date) -> Period:
    """The period a form or a query asks for; defaults to the current year."""
    if kind not in KINDS:
        raise PeriodError(N_("Choose a month, a quarter, a year or a custom period."))
    year = year or today.year
    if not 2000 <= year <= 2100:
        raise PeriodError(N_("Enter a year between 2000 and 2100."))
    if kind == "year":
        return months_between(date(year, 1, 1), date(year, 12, 1))
    if kind == "quarter":
        quarter = number or (today.month - 1) // 3 + 1
        if not 1 <= quarter <= 4:
            raise PeriodError(N_("Choose a quarter from 1 to 4."))
        start = date(year, 3 * quarter - 2, 1)
        return months_between(start, date(year, 3 * quarter, 1))
    if kind == "month":
        month = number or today.month
        if not 1 <= month <= 12:
            raise PeriodError(N_("Choose a month from 1 to 12."))
        return months_between(date(year, month, 1), date(year, month, 1))
    if not first or not last:
        raise PeriodError(N_("For a custom period, enter its first and last month (YYYY-MM)."))
    return months_between(_month_value(first), _month_value(last))
