"""The VTIMEZONE of Europe/Berlin as calendar clients expect it: one STANDARD and one DAYLIGHT
rule with RRULEs (the EU rule in force since 1996).

icalendar's `Timezone.from_tzid` lists every transition as one multi-valued RDATE, which is
legal but read only up to its first value by ical.js (Thunderbird) and vobject: every time after
the first change of the window would be an hour off there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

TZID = "Europe/Berlin"
CET = timedelta(hours=1)
CEST = timedelta(hours=2)


def _part(
    part: TimezoneStandard | TimezoneDaylight,
    name: str,
    starts: datetime,
    month: int,
    offsets: tuple[timedelta, timedelta],
) -> TimezoneStandard | TimezoneDaylight:
    part.add("tzname", name)
    # DTSTART is the local time before the change (RFC 5545 3.6.5): 02:00 in March, 03:00 in
    # October, both on the last Sunday of the month.
    part.add("dtstart", starts)
    part.add("tzoffsetfrom", offsets[0])
    part.add("tzoffsetto", offsets[1])
    part.add("rrule", vRecur({"freq": "yearly", "bymonth": month, "byday": "-1SU"}))
    return part


@lru_cache(maxsize=1)
def _berlin_ical() -> bytes:
    tz = Timezone()
    tz.add("tzid", TZID)
    tz.add("x-lic-location", TZID)
    tz.add_component(_part(TimezoneDaylight(), "CEST", datetime(1996, 3, 31, 2), 3, (CET, CEST)))
    tz.add_component(
        _part(TimezoneStandard(), "CET", datetime(1996, 10, 27, 3), 10, (CEST, CET))
    )
    return bytes(tz.to_ical())


def berlin_timezone() -> Timezone:
    """A fresh component each time: a calendar takes ownership of what it is given."""
    component = Timezone.from_ical(_berlin_ical())
    assert isinstance(component, Timezone)
    return component
