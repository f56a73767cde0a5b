"""Repeating events from long ago are expanded from near today, with the same occurrences."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
import recurring_ical_events
from icalendar import Calendar

from calendars.compute import BERLIN
from calendars.ics_fast_forward import fast_forward

TODAY = date(2026, 12, 1)
RULES = [
    "FREQ=DAILY;BYMONTH=1,3,5;BYSETPOS=-1",
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;WKST=SU",
    "FREQ=WEEKLY;BYDAY=TU,TH;BYSETPOS=-1",
    "FREQ=MONTHLY;INTERVAL=5;BYDAY=-1FR",
    "FREQ=MONTHLY;BYMONTHDAY=31",
    "FREQ=MONTHLY;INTERVAL=7",
    "FREQ=DAILY;UNTIL=20270301T000000Z",
]


def calendar(rule: str, start: str) -> Calendar:
    return Calendar.from_ical(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:u\r\n"
        f"DTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Europe/Berlin:{start}\r\n"
        f"DTEND;TZID=Europe/Berlin:{start[:9]}110000\r\nRRULE:{rule}\r\n"
        "EXDATE;TZID=Europe/Berlin:20270315T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def occurrences(cal: Calendar) -> list[tuple[datetime, datetime]]:
    first = datetime.combine(TODAY, time(0), tzinfo=BERLIN)
    last = datetime(2029, 1, 1, tzinfo=BERLIN)
    found = recurring_ical_events.of(cal).between(first, last)
    return [(o["DTSTART"].dt, o["DTEND"].dt) for o in found]


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("start", ["19000131T090000", "19870316T090000", "20230831T090000"])
def test_moving_the_start_keeps_every_occurrence_from_today_on(rule: str, start: str) -> None:
    original = calendar(rule, start)
    moved = Calendar()
    for component in original.subcomponents:
        moved.add_component(fast_forward(component, TODAY))
    assert occurrences(moved) == occurrences(original)


def test_a_daily_rule_from_1900_starts_near_today() -> None:
    (event,) = calendar("FREQ=DAILY;BYMONTH=1,3,5;BYSETPOS=-1", "19000101T090000").walk("VEVENT")
    prop: Any = fast_forward(event, TODAY)["DTSTART"]
    start = prop.dt
    assert date(2026, 11, 1) < start.date() < TODAY
    assert start.time() == time(9) and str(start.tzinfo) == "Europe/Berlin"


def test_a_counted_rule_is_left_as_it_is() -> None:
    (event,) = calendar("FREQ=DAILY;COUNT=5000", "20000101T090000").walk("VEVENT")
    assert fast_forward(event, TODAY) is event
