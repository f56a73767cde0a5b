"""Schedule feeds: an independent parser (icalendar + recurring_ical_events) reads the same
occurrences that Lotse computes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import recurring_ical_events
from icalendar import Calendar

from calendars.compute import BERLIN, openings
from calendars.ics_export import (
    AppointmentEntry,
    FeedSource,
    appointments_feed,
    etag_of,
    feed_window,
    schedule_feed,
)
from calendars.rules import Rule, ScheduleExceptionValue, parse_byday, validate_rule

TODAY = date(2027, 1, 15)
SERVICE = uuid.UUID("11111111-1111-4111-8111-111111111111")
CHANGED = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


def rule(days: str | None, opens: str | None, closes: str | None, **kw) -> Rule:
    freq = kw.pop("freq", "WEEKLY")
    return validate_rule(
        Rule(
            freq=freq,
            byday=parse_byday(days, freq) if days else (),
            opens_at=time.fromisoformat(opens) if opens else None,
            closes_at=time.fromisoformat(closes) if closes else None,
            last_modified=CHANGED,
            **kw,
        )
    )


def sample_source() -> FeedSource:
    rules = [
        rule("MO,TU,WE,TH,FR", "09:00", "12:00", sequence=3),
        rule("MO,TH", "14:00", "16:00", appointment_only=True),
        rule("TU", "17:00", "19:00", interval=2, dtstart=date(2026, 9, 1)),
        rule("1SA", "10:00", "13:00", freq="MONTHLY"),
        rule(None, "09:00", "10:00", freq="MONTHLY", bymonthday=(15, -1)),
        rule(
            "MO,WE",
            "18:00",
            "20:15",
            kind="course",
            dtstart=date(2027, 1, 11),
            until=date(2027, 4, 28),
        ),
        rule("SA", "09:00", "11:00", kind="course", dtstart=date(2026, 10, 3), count=30),
        rule("SU", "11:00", "12:00", valid_from=date(2027, 3, 1), valid_to=date(2027, 10, 31)),
        rule("SU", None, None, open_on_holidays=True, dtstart=date(2027, 6, 6), count=3),
        rule(None, "10:00", "15:00", kind="single", freq=None, dtstart=date(2027, 5, 22)),
        rule(None, "10:00", "15:00", kind="single", freq=None, dtstart=date(2027, 5, 27)),
    ]
    exceptions = [
        ScheduleExceptionValue(
            kind="closed", starts_on=date(2027, 7, 19), ends_on=date(2027, 8, 6)
        ),
        ScheduleExceptionValue(
            kind="closed",
            starts_on=date(2027, 2, 10),
            ends_on=date(2027, 2, 10),
            schedule_id=rules[5].id,
        ),
        ScheduleExceptionValue(
            kind="extra",
            starts_on=date(2027, 12, 18),
            ends_on=date(2027, 12, 19),
            opens_at=time(10),
            closes_at=time(16),
            last_modified=CHANGED,
        ),
    ]
    return FeedSource(
        key=SERVICE,
        summary="Migrationsberatung für Erwachsene",
        rules=rules,
        exceptions=exceptions,
        location="Beratungsstelle, Friedrich-Ebert-Straße 1, 45468 Mülheim an der Ruhr",
        url="https://lotse.example/offers/1",
    )


def as_instant(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.combine(value, time(0), tzinfo=BERLIN).astimezone(UTC)


def parsed_occurrences(body: bytes, first: date, last: date) -> set[tuple[datetime, datetime]]:
    calendar = Calendar.from_ical(body)
    found = recurring_ical_events.of(calendar).between(first, last + timedelta(days=1))
    return {(as_instant(e["DTSTART"].dt), as_instant(e["DTEND"].dt)) for e in found}


def test_feed_occurrences_equal_the_computed_openings():
    source = sample_source()
    body = schedule_feed("Caritas", [source], TODAY)
    first, last = feed_window(TODAY)
    computed = {(o.start, o.end) for o in openings(source.rules, source.exceptions, first, last)}
    assert len(computed) > 400
    assert parsed_occurrences(body, first, last) == computed


def test_feed_keeps_wall_clock_times_across_dst():
    source = FeedSource(key=SERVICE, summary="Café", rules=[rule("SU", "10:00", "12:00")])
    body = schedule_feed("Café", [source], TODAY)
    calendar = Calendar.from_ical(body)
    found = recurring_ical_events.of(calendar).between(date(2027, 3, 20), date(2027, 11, 8))
    assert {e["DTSTART"].dt.astimezone(BERLIN).time() for e in found} == {time(10)}
    utc_hours = {e["DTSTART"].dt.astimezone(UTC).hour for e in found}
    assert utc_hours == {8, 9}


def test_feed_is_valid_and_stable():
    source = sample_source()
    body = schedule_feed("Caritas", [source], TODAY)
    assert body == schedule_feed("Caritas", [source], TODAY)
    assert etag_of(body) == etag_of(schedule_feed("Caritas", [source], TODAY))
    text = body.decode()
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin" in text
    assert "DTSTART;TZID=Europe/Berlin:" in text
    assert f"UID:schedule-{source.rules[0].id}@lotse" in text
    assert "SEQUENCE:3" in text
    assert "LAST-MODIFIED:20261201T083000Z" in text
    assert "EXDATE;TZID=Europe/Berlin:" in text
    assert "RRULE:FREQ=MONTHLY;BYDAY=1SA;WKST=MO" in text
    # Lines are folded at 75 octets as RFC 5545 requires.
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    calendar = Calendar.from_ical(body)
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids)) == len(source.rules) + 1
    event: Any
    for event in calendar.walk("VEVENT"):
        assert event["UID"] and event["DTSTAMP"] and event["DTSTART"]
        if "RRULE" in event and "UNTIL" in event["RRULE"]:
            until = event["RRULE"]["UNTIL"][0]
            start = event["DTSTART"].dt
            # UNTIL has the value type of DTSTART and is UTC for zoned starts.
            assert isinstance(until, datetime) == isinstance(start, datetime)
            if isinstance(until, datetime):
                assert until.utcoffset() == timedelta(0)


def test_a_changed_schedule_changes_the_etag():
    source = sample_source()
    body = schedule_feed("Caritas", [source], TODAY)
    changed = FeedSource(
        key=source.key,
        summary=source.summary,
        rules=[source.rules[0].with_changes(closes_at=time(12, 30), sequence=4)],
    )
    assert etag_of(schedule_feed("Caritas", [changed], TODAY)) != etag_of(body)


def test_holiday_closures_are_excluded_but_holiday_openers_are_not():
    source = FeedSource(
        key=SERVICE,
        summary="Sprechstunde",
        rules=[rule("TH", "09:00", "12:00")],
    )
    body = schedule_feed("x", [source], TODAY)
    days = {
        start.astimezone(BERLIN).date()
        for start, _ in parsed_occurrences(body, date(2027, 5, 1), date(2027, 6, 30))
    }
    assert date(2027, 5, 6) not in days  # Christi Himmelfahrt
    assert date(2027, 5, 27) not in days  # Fronleichnam
    assert date(2027, 5, 13) in days


def test_appointments_feed_has_no_client_and_parses():
    start = datetime(2027, 3, 29, 7, 30, tzinfo=UTC)
    entry = AppointmentEntry(
        uid="appointment-1@lotse",
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        summary="Termin: Migrationsberatung",
        location="Friedrich-Ebert-Straße 1",
    )
    body = appointments_feed("Meine Termine", [entry])
    calendar = Calendar.from_ical(body)
    (event,) = recurring_ical_events.of(calendar).between(date(2027, 3, 1), date(2027, 4, 30))
    assert event["DTSTART"].dt == start
    assert str(event["SUMMARY"]) == "Termin: Migrationsberatung"
    assert "ATTENDEE" not in event
