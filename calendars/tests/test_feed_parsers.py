"""Feeds read alike in every client: icalendar (with the system's zone data), vobject and
ical.js (Thunderbird's parser, which knows only the VTIMEZONE in the file) find the same
occurrences on both sides of the 2027 daylight-saving changes."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import vobject
from dateutil.rrule import rrulestr
from icalendar import Calendar

from calendars.ics_export import AppointmentEntry, FeedSource, appointments_feed, schedule_feed
from calendars.invitations import invitation_ics
from calendars.rules import Rule, parse_byday, validate_rule
from calendars.vtimezone import berlin_timezone

ROOT = Path(__file__).resolve().parents[2]
ICALJS_SCRIPT = Path(__file__).parent / "parsers" / "icaljs_occurrences.mjs"
FROM = datetime(2027, 3, 1, tzinfo=UTC)
TO = datetime(2027, 11, 30, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
CHANGED = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


def weekly(days: str, opens: str, closes: str, **kw: object) -> Rule:
    return validate_rule(
        Rule(
            freq="WEEKLY",
            byday=parse_byday(days, "WEEKLY"),
            opens_at=time.fromisoformat(opens),
            closes_at=time.fromisoformat(closes),
            last_modified=CHANGED,
            **kw,  # type: ignore[arg-type]
        )
    )


def by_icalendar(body: bytes) -> list[datetime]:
    events = recurring_ical_events.of(Calendar.from_ical(body)).between(FROM, TO)
    return sorted(e["DTSTART"].dt.astimezone(UTC) for e in events)


def by_vobject(body: bytes) -> list[datetime]:
    starts: list[datetime] = []
    for event in vobject.readOne(body.decode()).vevent_list:
        rules = event.getrruleset(addRDate=True)
        found = list(rules.between(FROM, TO, inc=True)) if rules else [event.dtstart.value]
        starts += [s.astimezone(UTC) for s in found if FROM <= s <= TO]
    return sorted(starts)


def by_icaljs(body: bytes) -> list[datetime]:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "ical.js").is_dir():
        pytest.skip("node or the npm package ical.js is missing (scripts/setup --dev installs it)")
    done = subprocess.run(
        [node, str(ICALJS_SCRIPT), FROM.isoformat(), TO.isoformat()],
        input=body,
        capture_output=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    return [datetime.fromisoformat(line) for line in done.stdout.decode().split()]


def read_alike(body: bytes) -> list[datetime]:
    reference = by_icalendar(body)
    assert by_vobject(body) == reference
    assert by_icaljs(body) == reference
    return reference


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def test_weekly_opening_hours_keep_their_wall_clock_across_both_changes():
    source = FeedSource(
        key=uuid.UUID("22222222-2222-4222-8222-222222222222"),
        summary="Migrationsberatung",
        rules=[weekly("TU", "15:00", "17:00", open_on_holidays=True)],
    )
    starts = read_alike(schedule_feed("Beratung", [source], date(2027, 1, 15)))
    assert berlin(2027, 3, 23, 15) in starts  # before the spring change (CET)
    assert berlin(2027, 3, 30, 15) in starts  # after it (CEST): 13:00 UTC, not 14:00
    assert berlin(2027, 3, 30, 15) == datetime(2027, 3, 30, 13, tzinfo=UTC)
    assert berlin(2027, 11, 2, 15) in starts  # after the autumn change (CET again)
    assert len(starts) == 39  # every Tuesday from 2 March to 23 November


def test_course_with_holiday_exceptions_reads_alike():
    source = FeedSource(
        key=uuid.UUID("33333333-3333-4333-8333-333333333333"),
        summary="Eltern- und Frauenintegrationskurs",
        rules=[weekly("MO,TU,WE,TH,FR", "08:30", "12:45", kind="course")],
    )
    starts = read_alike(schedule_feed("Kurs", [source], date(2027, 1, 15)))
    assert berlin(2027, 3, 29, 8, 30) not in starts  # Easter Monday 2027, a holiday in NRW
    assert berlin(2027, 3, 30, 8, 30) in starts
    assert berlin(2027, 11, 1, 8, 30) not in starts  # All Saints' Day
    assert berlin(2027, 11, 2, 8, 30) in starts


def test_appointments_on_both_sides_of_the_changes_read_alike():
    moments = [berlin(2027, 3, 26, 9), berlin(2027, 4, 2, 9), berlin(2027, 10, 29, 9),
               berlin(2027, 11, 5, 9)]
    entries = [
        AppointmentEntry(uid=f"appointment-{i}@lotse", starts_at=m, ends_at=m + timedelta(hours=1),
                         summary="Termin: Migrationsberatung")
        for i, m in enumerate(moments)
    ]
    assert read_alike(appointments_feed("Meine Termine", entries)) == moments


@dataclass(frozen=True)
class Slot:
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime


def test_invitation_after_the_spring_change_reads_alike():
    start = berlin(2027, 3, 30, 15)
    slot = Slot(uuid.uuid4(), start, start + timedelta(minutes=45))
    body = invitation_ics(slot, "beratung@example.org", "cm@example.org", "Termin", "REQUEST", 0)
    assert read_alike(body) == [start]


def test_vtimezone_rules_match_the_zone_database_for_decades():
    """The RRULEs give the same offset as the system's Europe/Berlin at every change."""
    component = berlin_timezone()
    for part in component.subcomponents:
        offset_from, offset_to = part.decoded("TZOFFSETFROM"), part.decoded("TZOFFSETTO")
        rule = rrulestr(part.decoded("RRULE").to_ical().decode(), dtstart=part.decoded("DTSTART"))
        for local in rule.between(datetime(2000, 1, 1), datetime(2040, 1, 1)):
            # One hour after the change the zone database must show the offset the rule names.
            after = (local.replace(tzinfo=UTC) - offset_from) + timedelta(hours=1)
            assert after.astimezone(BERLIN).utcoffset() == offset_to


def test_no_multi_valued_rdate_in_any_feed():
    source = FeedSource(key=uuid.uuid4(), summary="Beratung",
                        rules=[weekly("TU", "15:00", "17:00")])
    assert b"RDATE" not in schedule_feed("Beratung", [source], date(2027, 1, 15))
