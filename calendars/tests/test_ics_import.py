"""Reading .ics files as Outlook and Google write them, and refusing broken or hostile ones."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest

from calendars.compute import BERLIN, openings
from calendars.ics_import import IcsImportError, ImportLimits, import_calendar

DATA = Path(__file__).parent / "data"
TODAY = date(2026, 12, 1)


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def by_description(result, text):
    return [rule for rule in result.rules if rule.description == text]


def local_starts(result, first: date, last: date) -> list[datetime]:
    return [o.local_start for o in openings(result.rules, result.exceptions, first, last)]


def test_outlook_weekly_rule_with_windows_time_zone_exdate_and_moved_occurrence():
    result = import_calendar(load("outlook.ics"), TODAY)
    assert result.calendar_name == "Kalender Migrationsberatung"
    (rule,) = by_description(result, "Offene Sprechstunde")
    assert rule.freq == "WEEKLY"
    assert [ref.to_ical() for ref in rule.byday] == ["TU", "TH"]
    assert (rule.opens_at, rule.closes_at) == (time(9), time(12))
    assert rule.dtstart == date(2027, 1, 5)
    assert rule.until == date(2027, 12, 16)
    assert rule.notes.startswith("Offene Sprechstunde ohne Termin")
    own = [exc for exc in result.exceptions if exc.schedule_id == rule.id]
    assert {(exc.kind, exc.starts_on) for exc in own} == {
        ("closed", date(2027, 3, 2)),
        ("closed", date(2027, 3, 11)),
        ("extra", date(2027, 3, 12)),
    }
    march = local_starts(result, date(2027, 3, 1), date(2027, 3, 14))
    assert datetime(2027, 3, 2, 9, tzinfo=BERLIN) not in march
    assert datetime(2027, 3, 4, 9, tzinfo=BERLIN) in march
    assert datetime(2027, 3, 11, 9, tzinfo=BERLIN) not in march
    assert datetime(2027, 3, 12, 13, tzinfo=BERLIN) in march
    # Summer time: still nine o'clock.
    july = local_starts(result, date(2027, 7, 6), date(2027, 7, 6))
    assert july == [datetime(2027, 7, 6, 9, tzinfo=BERLIN)]


def test_outlook_first_saturday_with_bysetpos_becomes_a_monthly_rule():
    result = import_calendar(load("outlook.ics"), TODAY)
    (rule,) = by_description(result, "Frauenfrühstück")
    assert rule.freq == "MONTHLY"
    assert [ref.to_ical() for ref in rule.byday] == ["1SA"]
    assert rule.count == 10
    assert (rule.opens_at, rule.closes_at) == (time(10), time(12, 30))


def test_outlook_all_day_event_and_expanded_last_weekday_rule():
    result = import_calendar(load("outlook.ics"), TODAY)
    (teamtag,) = by_description(result, "Teamtag - Beratungsstelle geschlossen")
    assert teamtag.freq is None and teamtag.dtstart == date(2027, 4, 16)
    assert teamtag.opens_at is None
    infos = by_description(result, "Infoabend am letzten Werktag")
    assert [rule.dtstart for rule in infos] == [
        date(2027, 1, 29),
        date(2027, 2, 26),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
        date(2027, 6, 30),
    ]
    assert {rule.opens_at for rule in infos} == {time(17)}


def test_google_utc_times_are_read_in_the_x_wr_timezone():
    result = import_calendar(load("google.ics"), TODAY)
    assert result.calendar_name == "Sprachcafé Styrum"
    (cafe,) = by_description(result, "Sprachcafé")
    assert (cafe.opens_at, cafe.closes_at) == (time(18), time(20))
    assert local_starts(result, date(2027, 7, 7), date(2027, 7, 7)) == [
        datetime(2027, 7, 7, 18, tzinfo=BERLIN)
    ]
    # The cancelled occurrence closes that Wednesday.
    assert local_starts(result, date(2027, 1, 20), date(2027, 1, 20)) == []
    (party,) = by_description(result, "Sommerfest")
    assert party.dtstart == date(2027, 7, 1) and party.opens_at == time(18)


def test_google_fortnightly_rule_with_sunday_week_start():
    result = import_calendar(load("google.ics"), TODAY)
    (homework,) = by_description(result, "Hausaufgabenhilfe")
    assert homework.freq == "WEEKLY" and homework.interval == 2
    assert (homework.opens_at, homework.closes_at) == (time(16), time(17, 30))
    days = [o.day for o in openings([homework], [], date(2027, 1, 1), date(2027, 2, 28))]
    assert days == [date(2027, 1, 7), date(2027, 1, 21), date(2027, 2, 4), date(2027, 2, 18)]


def test_google_rule_that_needs_expansion_keeps_local_time_in_summer():
    result = import_calendar(load("google.ics"), TODAY)
    evenings = by_description(result, "Elternabend (Halbjahr)")
    assert [rule.dtstart for rule in evenings] == [
        date(2027, 1, 26),
        date(2027, 2, 23),
        date(2027, 3, 30),
        date(2027, 4, 27),
        date(2027, 5, 25),
        date(2027, 6, 29),
        # The horizon is two years (LOTSE_ICS_HORIZON_YEARS); the next half-year follows.
        date(2028, 1, 25),
        date(2028, 2, 29),
        date(2028, 3, 28),
        date(2028, 4, 25),
        date(2028, 5, 30),
        date(2028, 6, 27),
    ]
    assert {rule.opens_at for rule in evenings} == {time(18)}


def test_import_is_deterministic_in_its_external_ids():
    first = import_calendar(load("google.ics"), TODAY)
    second = import_calendar(load("google.ics"), TODAY)
    assert sorted(r.external_uid or "" for r in first.rules) == sorted(
        r.external_uid or "" for r in second.rules
    )
    assert len({r.external_uid for r in first.rules}) == len(first.rules)
    assert sorted(e.external_uid or "" for e in first.exceptions) == sorted(
        e.external_uid or "" for e in second.exceptions
    )


def test_past_events_are_skipped():
    result = import_calendar(load("google.ics"), date(2027, 7, 2))
    assert not by_description(result, "Sommerfest")
    assert result.skipped_past >= 1


def wrap(*events: str, head: str = "") -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:e{index}\r\nDTSTAMP:20261101T000000Z\r\n{event}END:VEVENT\r\n"
        for index, event in enumerate(events)
    )
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        + head
        + body
        + "END:VCALENDAR\r\n"
    ).encode()


WEEKLY = (
    "DTSTART;TZID=Europe/Berlin:20270105T090000\r\nDTEND;TZID=Europe/Berlin:20270105T100000\r\n"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not a calendar at all", "not a valid iCalendar"),
        (b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n", "VCALENDAR"),
        (wrap(), "no events"),
        (wrap(WEEKLY + "RRULE:FREQ=SECONDLY\r\n"), "several times a day"),
        (
            wrap(WEEKLY + "RRULE:FREQ=DAILY;BYHOUR=1,2,3,4,5,6;BYMINUTE=0,30\r\n"),
            "several times a day",
        ),
        (wrap(WEEKLY + "RRULE:FREQ=DAILY;COUNT=5000000\r\n"), "5000000 times"),
        (
            wrap(
                "DTSTART;TZID=Mars/Olympus:20270105T090000\r\n"
                "DTEND;TZID=Mars/Olympus:20270105T100000\r\n"
            ),
            "unknown time zone Mars/Olympus",
        ),
        (wrap(WEEKLY, head="X-WR-TIMEZONE:Mars/Olympus\r\n"), "unknown time zone"),
    ],
)
def test_broken_or_hostile_files_are_refused_with_a_reason(data, message):
    with pytest.raises(IcsImportError, match=message):
        import_calendar(data, TODAY)


def test_a_huge_file_is_refused_before_parsing():
    data = wrap(*[WEEKLY] * 50)
    with pytest.raises(IcsImportError, match="larger than"):
        import_calendar(data, TODAY, limits=ImportLimits(max_bytes=len(data) - 1))


def test_too_many_events_are_refused():
    with pytest.raises(IcsImportError, match="at most 10"):
        import_calendar(wrap(*[WEEKLY] * 11), TODAY, limits=ImportLimits(max_components=10))


def test_an_expansion_beyond_the_limit_is_refused():
    yearly_daily = (
        WEEKLY
        + "RRULE:FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY="
        + ",".join(str(day) for day in range(1, 29))
        + "\r\n"
    )
    with pytest.raises(IcsImportError, match="more than 100"):
        import_calendar(wrap(yearly_daily), TODAY, limits=ImportLimits(max_entries=100))


def test_the_report_names_holidays_that_close_a_rule_but_not_those_the_calendar_closes():
    monday = (
        "SUMMARY:Montagsberatung\r\n"
        "DTSTART;TZID=Europe/Berlin:20270322T090000\r\n"
        "DTEND;TZID=Europe/Berlin:20270322T100000\r\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270630T000000Z\r\n"
        "EXDATE;TZID=Europe/Berlin:20270329T090000\r\n"
    )
    result = import_calendar(wrap(monday), TODAY)
    (note,) = [str(notice) for notice in result.warnings]
    assert "Montagsberatung" in note and "17.05.2027" in note
    assert "29.03.2027" not in note
