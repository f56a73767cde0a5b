"""NRW public holidays and working days (Monday to Friday, not a public holiday in NRW).

The referral answer deadline counts working days; schedules close on public holidays.
Holidays come from the `holidays` library (Germany, subdivision NW), never a hand-kept list.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

SUBDIVISION = "NW"


@lru_cache(maxsize=64)
def _holidays_of(year: int, language: str) -> dict[date, str]:
    table = holidays.country_holidays("DE", subdiv=SUBDIVISION, years=year, language=language)
    return dict(table.items())


def load_holidays(today: date) -> None:
    """Compute this year's and next year's tables now (at start-up, before any write lock):
    the first computation in a process is slow, and deadlines are counted inside transactions."""
    for year in (today.year, today.year + 1):
        for language in ("de", "en_US"):
            _holidays_of(year, language)


def _language(lang: str) -> str:
    return "de" if lang.startswith("de") else "en_US"


def holiday_name(day: date, lang: str = "de") -> str | None:
    """The name of the NRW public holiday on `day`, or None."""
    return _holidays_of(day.year, _language(lang)).get(day)


def is_holiday(day: date) -> bool:
    return day in _holidays_of(day.year, "de")


def holidays_between(first: date, last: date, lang: str = "de") -> dict[date, str]:
    """All NRW public holidays from `first` to `last` inclusive."""
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        for day, name in _holidays_of(year, _language(lang)).items():
            if first <= day <= last:
                found[day] = name
    return dict(sorted(found.items()))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def add_working_days(start: date, n: int) -> date:
    """The day `n` working days after `start` (before it when n < 0); `start` itself never counts.

    add_working_days(Thursday before Easter, 1) is the Tuesday after Easter Monday.
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    day = start
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def _weekdays_after_until(a: date, b: date) -> int:
    """Mondays to Fridays d with a < d <= b (a <= b)."""
    days = (b - a).days
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for offset in range(1, rest + 1):
        if (a + timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


def working_days_between(a: date, b: date) -> int:
    """Working days d with a < d <= b (negative, counting b <= d < a, when b lies before a).

    It is the inverse of add_working_days: working_days_between(a, add_working_days(a, n)) == n.
    """
    if b < a:
        # Counting backwards mirrors add_working_days: days b <= d < a.
        return -working_days_between(b - timedelta(days=1), a - timedelta(days=1))
    weekday_holidays = sum(
        1 for day in holidays_between(a + timedelta(days=1), b) if day.weekday() < 5
    )
    return _weekdays_after_until(a, b) - weekday_holidays
