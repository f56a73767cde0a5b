"""Moving the start of a repeating event close to today before it is expanded.

The expansion walks every period from DTSTART, also those before today that it throws away: a
daily rule from 1900 costs a second, a few thousand of them an hour. Moving DTSTART forward by
whole periods of the rule (k x INTERVAL days or weeks, or months where the day of the month
cannot overflow) keeps every occurrence from today on, so the walk starts near today.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from icalendar import Component

# Periods kept between the moved start and today, so that no occurrence of today is lost and
# the moved start itself (an occurrence by definition) lies in the past, where it is dropped.
_MARGIN = 2


def fast_forward(event: Component, today: date) -> Component:
    """The event with DTSTART (and DTEND) moved forward by whole periods, or itself unchanged
    when moving could change its occurrences (COUNT, RDATE-only, yearly, month-end days)."""
    rule = event.get("RRULE")
    start_prop = event.get("DTSTART")
    if rule is None or isinstance(rule, list) or start_prop is None:
        return event
    parts = {str(key).upper(): value for key, value in rule.items()}
    if "COUNT" in parts:
        return event  # the count runs from the first start: moving it would add occurrences
    start: date | datetime = start_prop.dt
    first = start.date() if isinstance(start, datetime) else start
    step = _step(parts, first)
    gap = (today - first).days
    if step is None or gap <= 0:
        return event
    unit, size = step
    shift: timedelta | relativedelta
    if unit == "days":
        periods = gap // size - _MARGIN
        shift = timedelta(days=size * periods)
    else:
        months = (today.year - first.year) * 12 + today.month - first.month
        periods = months // size - _MARGIN
        shift = relativedelta(months=size * periods)
    if periods <= 0:
        return event
    clone = copy.copy(event)  # the other properties are shared, unchanged
    for name in ("DTSTART", "DTEND"):
        if name in event:
            prop: Any = event[name]
            value, params = prop.dt, dict(prop.params)
            clone.pop(name)
            clone.add(name, value + shift, parameters=params)
    return clone


def _step(parts: dict[str, list[Any]], first: date) -> tuple[str, int] | None:
    """The period of the rule as (unit, size), when whole periods keep its occurrences."""
    freq = str(parts.get("FREQ", [""])[0]).upper()
    interval = int(parts.get("INTERVAL", [1])[0] or 1)
    if freq == "DAILY":
        return ("days", interval)
    if freq == "WEEKLY":
        return ("days", 7 * interval)
    if freq == "MONTHLY" and (first.day <= 28 or "BYMONTHDAY" in parts or "BYDAY" in parts):
        return ("months", interval)
    return None  # yearly rules walk one period a year: cheap enough as they are
