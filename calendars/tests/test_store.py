"""Stored schedules: what counts for an offer, change announcements, imports that update."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from calendars import api, store, store_import
from calendars.ics_import import import_calendar
from calendars.rules import Rule, RuleError, ScheduleExceptionValue, parse_byday
from calendars.tables import Schedule, ScheduleException
from outbox.dispatcher import drain

DATA = Path(__file__).parent / "data"
MONDAY_10 = datetime(2027, 2, 8, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


def weekly(days: str, opens: int, closes: int, **kw) -> Rule:
    return Rule(
        freq="WEEKLY",
        byday=parse_byday(days, "WEEKLY"),
        opens_at=time(opens),
        closes_at=time(closes),
        **kw,
    )


async def test_a_stored_rule_comes_back_equal_and_is_announced(offer, changes):
    rule = weekly(
        "MO,TH",
        9,
        12,
        service_id=offer.service_id,
        notes="Ohne Termin",
        appointment_only=True,
        interval=2,
        dtstart=date(2027, 1, 4),
    )
    await store.add_rule(rule)
    found = (await store.schedules_by_service([offer.service_id]))[offer.service_id]
    (back,) = found.rules
    assert back.id == rule.id
    assert (back.byday, back.opens_at, back.closes_at) == (rule.byday, time(9), time(12))
    assert (back.interval, back.dtstart, back.notes) == (2, date(2027, 1, 4), "Ohne Termin")
    assert back.appointment_only
    await drain()
    assert changes == [str(offer.service_id)]


async def test_service_at_location_rules_count_and_location_hours_are_the_fallback(offer):
    from calendars.tables import Schedule as Row

    await store.add_rule(weekly("FR", 8, 16, location_id=offer.location_id))
    labels = await api.opening_labels([offer.service_id], datetime(2027, 2, 12, 9, tzinfo=UTC))
    # Friday 10:00 in Berlin: open by the hours of its place.
    assert labels[offer.service_id].state == "open"
    await store.add_rule(weekly("MO", 9, 12, service_at_location_id=offer.service_at_location_id))
    found = (await store.schedules_by_service([offer.service_id]))[offer.service_id]
    assert [r.byday[0].weekday for r in found.rules] == [0]
    assert not found.from_location
    assert await Row.count() == 2


async def test_an_update_raises_the_sequence(offer):
    rule = await store.add_rule(weekly("MO", 9, 12, service_id=offer.service_id))
    saved = await store.update_rule(rule.with_changes(closes_at=time(13)))
    assert saved.sequence == 1
    assert (await store.get_rule(rule.id)).closes_at == time(13)  # type: ignore[union-attr]


async def test_an_invalid_rule_is_refused_and_nothing_is_stored(offer, changes):
    with pytest.raises(RuleError):
        await store.add_rule(weekly("MO", 12, 9, service_id=offer.service_id))
    assert await Schedule.count() == 0
    await drain()
    assert changes == []


async def test_a_closure_closes_and_raises_the_sequence_of_the_rules(offer):
    rule = await store.add_rule(weekly("MO", 9, 12, service_id=offer.service_id))
    await store.add_exception(
        ScheduleExceptionValue(
            kind="closed",
            starts_on=date(2027, 2, 8),
            ends_on=date(2027, 2, 8),
            service_id=offer.service_id,
        )
    )
    labels = await api.opening_labels([offer.service_id], MONDAY_10)
    assert labels[offer.service_id].state == "closed"
    assert (await store.get_rule(rule.id)).sequence == 1  # type: ignore[union-attr]


async def test_reimporting_the_same_calendar_updates_and_never_duplicates(offer, changes):
    data = (DATA / "google.ics").read_bytes()
    today = date(2026, 12, 1)
    first = await store_import.apply_import(offer.service_id, import_calendar(data, today))
    rows = await Schedule.count()
    exceptions = await ScheduleException.count()
    assert first.created == rows > 0
    again = await store_import.apply_import(offer.service_id, import_calendar(data, today))
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert await Schedule.count() == rows
    assert await ScheduleException.count() == exceptions
    changed = data.replace(b"DTEND:20270113T190000Z", b"DTEND:20270113T193000Z").replace(
        b"SUMMARY:Sommerfest", b"SUMMARY:Sommerfest im Park"
    )
    third = await store_import.apply_import(offer.service_id, import_calendar(changed, today))
    assert (third.created, third.updated, third.removed) == (0, 2, 0)
    assert await Schedule.count() == rows
    cafe = await Schedule.select().where(Schedule.description == "Sprachcafé").first()
    assert cafe is not None and cafe["closes_at"] == time(20, 30) and cafe["sequence"] == 1
    await drain()
    assert changes == [str(offer.service_id)] * 2


async def test_an_event_gone_from_the_calendar_is_removed(offer):
    data = (DATA / "google.ics").read_bytes()
    today = date(2026, 12, 1)
    await store_import.apply_import(offer.service_id, import_calendar(data, today))
    start = data.index(b"BEGIN:VEVENT\r\nDTSTART:20270701T160000Z")
    end = data.index(b"END:VEVENT\r\n", start) + len(b"END:VEVENT\r\n")
    summary = await store_import.apply_import(
        offer.service_id, import_calendar(data[:start] + data[end:], today)
    )
    assert summary.removed == 1
    assert not await Schedule.exists().where(Schedule.description == "Sommerfest")


async def test_manual_rules_survive_an_import(offer):
    manual = await store.add_rule(weekly("FR", 9, 12, service_id=offer.service_id))
    data = (DATA / "outlook.ics").read_bytes()
    await store_import.apply_import(offer.service_id, import_calendar(data, date(2026, 12, 1)))
    await store_import.apply_import(offer.service_id, import_calendar(data, date(2026, 12, 1)))
    assert await Schedule.exists().where(Schedule.id == manual.id)


async def test_api_figures_for_search_and_lists(offer):
    await store.add_rule(weekly("MO", 9, 12, service_id=offer.service_id))
    await store.add_rule(
        weekly(
            "TU",
            18,
            20,
            service_id=offer.service_id,
            kind="course",
            dtstart=date(2027, 3, 2),
            count=10,
        )
    )
    intervals = await api.open_intervals_for_services([offer.service_id], MONDAY_10)
    # An offer with a course is found at the course's times (Tuesday 18-20), not its office's.
    assert intervals[offer.service_id] == [(2520, 2640)]
    starts = await api.next_course_starts([offer.service_id], date(2027, 2, 1))
    assert starts[offer.service_id] == date(2027, 3, 2)
    texts = await api.label_texts([offer.service_id], "de", now=MONDAY_10)
    assert texts[offer.service_id].text == "Jetzt geöffnet bis 12:00"
    assert texts[offer.service_id].course == "Kurs beginnt am 02.03.2027"
    english = await api.label_texts([offer.service_id], "en", now=MONDAY_10)
    assert english[offer.service_id].text == "Open now until 12:00"


async def test_hsds_round_trip_through_the_api(offer):
    await store.add_rule(weekly("MO,WE", 9, 12, service_id=offer.service_id))
    await store.add_exception(
        ScheduleExceptionValue(
            kind="closed",
            starts_on=date(2027, 7, 1),
            ends_on=date(2027, 7, 31),
            service_id=offer.service_id,
        )
    )
    exported = (await api.hsds_schedules([offer.service_id]))[offer.service_id]
    before = await api.open_intervals_for_services([offer.service_id], MONDAY_10)
    assert await api.replace_schedules_from_hsds(offer.service_id, exported) == 2
    assert await api.open_intervals_for_services([offer.service_id], MONDAY_10) == before
    assert await ScheduleException.count() == 1
