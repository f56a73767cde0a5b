"""Opening computations: DST, NRW holidays, recurrence shapes, exceptions, labels, weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars.compute import (
    BERLIN,
    _rrule,
    next_course_start,
    next_opening,
    open_at,
    opening_label,
    openings,
    raw_days,
    rule_days,
    week_intervals,
)
from calendars.rules import (
    DayRef,
    Rule,
    RuleError,
    ScheduleExceptionValue,
    parse_byday,
    validate_rule,
)


def weekly(days: str, opens: str, closes: str, **kw) -> Rule:
    return validate_rule(
        Rule(
            freq="WEEKLY",
            byday=parse_byday(days, "WEEKLY"),
            opens_at=time.fromisoformat(opens),
            closes_at=time.fromisoformat(closes),
            **kw,
        )
    )


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_sunday_hours_stay_at_ten_across_the_spring_change():
    rule = weekly("SU", "10:00", "12:00")
    found = openings([rule], [], date(2027, 3, 20), date(2027, 4, 4))
    assert [o.local_start.hour for o in found] == [10, 10, 10]
    before, on_change, after = found
    assert before.start == datetime(2027, 3, 21, 9, 0, tzinfo=UTC)
    # 28 March 2027 is the last Sunday of March: summer time, UTC+2.
    assert on_change.start == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert after.start == datetime(2027, 4, 4, 8, 0, tzinfo=UTC)
    assert all(o.end - o.start == timedelta(hours=2) for o in found)


def test_open_at_on_the_last_sunday_of_october_uses_winter_time():
    rule = weekly("SU", "10:00", "12:00")
    # 31 October 2027: back to UTC+1, so 10:30 local is 09:30 UTC.
    assert open_at([rule], [], datetime(2027, 10, 31, 9, 30, tzinfo=UTC)) is not None
    assert open_at([rule], [], datetime(2027, 10, 31, 8, 30, tzinfo=UTC)) is None
    # A week earlier it was still summer time: 08:30 UTC is 10:30 local.
    assert open_at([rule], [], datetime(2027, 10, 24, 8, 30, tzinfo=UTC)) is not None


def test_an_opening_across_the_repeated_hour_lasts_three_real_hours():
    rule = weekly("SU", "01:30", "03:30")
    (opening,) = openings([rule], [], date(2027, 10, 31), date(2027, 10, 31))
    assert opening.end - opening.start == timedelta(hours=3)
    (spring,) = openings([rule], [], date(2027, 3, 28), date(2027, 3, 28))
    assert spring.end - spring.start == timedelta(hours=1)


def test_week_intervals_are_wall_clock_minutes_in_a_dst_week():
    rule = weekly("SU", "10:00", "12:00")
    assert week_intervals([rule], [], date(2027, 3, 22)) == [(6 * 1440 + 600, 6 * 1440 + 720)]
    assert week_intervals([rule], [], date(2027, 10, 25)) == [(6 * 1440 + 600, 6 * 1440 + 720)]


def test_nrw_only_holidays_close_the_offer():
    thursday = weekly("TH", "09:00", "12:00")
    monday = weekly("MO", "09:00", "12:00")
    # Fronleichnam 27 May 2027 (Thursday), Allerheiligen 1 November 2027 (Monday).
    days = list(rule_days(thursday, date(2027, 5, 20), date(2027, 6, 3)))
    assert days == [date(2027, 5, 20), date(2027, 6, 3)]
    days = list(rule_days(monday, date(2027, 10, 25), date(2027, 11, 8)))
    assert days == [date(2027, 10, 25), date(2027, 11, 8)]


def test_holidays_of_other_states_do_not_close():
    friday = weekly("FR", "09:00", "12:00")
    wednesday = weekly("WE", "09:00", "12:00")
    # Reformationstag (31 Oct 2025, not in NRW) and Buß- und Bettag (17 Nov 2027, Saxony only).
    assert list(rule_days(friday, date(2025, 10, 31), date(2025, 10, 31))) == [date(2025, 10, 31)]
    assert list(rule_days(wednesday, date(2027, 11, 17), date(2027, 11, 17))) == [
        date(2027, 11, 17)
    ]


def test_open_on_holidays_keeps_the_hours():
    rule = weekly("TH", "09:00", "12:00", open_on_holidays=True)
    assert list(rule_days(rule, date(2027, 5, 27), date(2027, 5, 27))) == [date(2027, 5, 27)]


def test_every_other_week_keeps_its_phase_years_later():
    rule = weekly("TU", "14:00", "16:00", interval=2, dtstart=date(2027, 1, 5))
    first = list(rule_days(rule, date(2027, 1, 1), date(2027, 2, 10)))
    assert first == [date(2027, 1, 5), date(2027, 1, 19), date(2027, 2, 2)]
    later = list(rule_days(rule, date(2029, 6, 1), date(2029, 7, 31)))
    assert later
    assert all((day - date(2027, 1, 5)).days % 14 == 0 for day in later)
    assert len(later) in (4, 5)


def test_every_other_week_with_two_weekdays_skips_whole_weeks():
    rule = weekly("MO,TH", "09:00", "11:00", interval=2, dtstart=date(2027, 1, 7))
    days = list(rule_days(rule, date(2027, 1, 1), date(2027, 1, 31)))
    # The first week starts on the Thursday (the first date); Monday 4 Jan is before it.
    assert days == [date(2027, 1, 7), date(2027, 1, 18), date(2027, 1, 21)]


def test_monthly_first_saturday():
    rule = validate_rule(
        Rule(
            freq="MONTHLY",
            byday=parse_byday("1SA"),
            opens_at=time(10),
            closes_at=time(13),
        )
    )
    days = list(rule_days(rule, date(2027, 1, 1), date(2027, 6, 30)))
    assert days == [
        date(2027, 1, 2),
        date(2027, 2, 6),
        date(2027, 3, 6),
        date(2027, 4, 3),
        # Saturday 1 May 2027 is a public holiday: closed.
        date(2027, 6, 5),
    ]


def test_monthly_last_friday_and_month_days():
    last_friday = validate_rule(
        Rule(freq="MONTHLY", byday=parse_byday("-1FR"), opens_at=time(9), closes_at=time(10))
    )
    assert list(rule_days(last_friday, date(2027, 1, 1), date(2027, 3, 31))) == [
        date(2027, 1, 29),
        date(2027, 2, 26),
        # 26 March 2027 is Good Friday: closed.
    ]
    fifteenth = validate_rule(
        Rule(freq="MONTHLY", bymonthday=(15,), opens_at=time(9), closes_at=time(10))
    )
    assert list(rule_days(fifteenth, date(2027, 1, 1), date(2027, 3, 31))) == [
        date(2027, 1, 15),
        date(2027, 2, 15),
        date(2027, 3, 15),
    ]


def test_course_with_a_fixed_end():
    course = weekly(
        "MO,WE",
        "09:00",
        "12:00",
        kind="course",
        dtstart=date(2027, 1, 11),
        until=date(2027, 3, 3),
    )
    sessions = list(rule_days(course, date(2027, 1, 1), date(2027, 12, 31)))
    assert sessions[0] == date(2027, 1, 11)
    assert sessions[-1] == date(2027, 3, 3)
    assert len(sessions) == 16
    assert next_course_start([course], [], date(2026, 12, 1)) == date(2027, 1, 11)
    # Once it has begun, it is no longer an upcoming start.
    assert next_course_start([course], [], date(2027, 1, 12)) is None


def test_next_course_start_picks_the_earliest_future_course():
    running = weekly("TU", "18:00", "20:00", kind="course", dtstart=date(2026, 9, 1))
    spring = weekly("TU", "18:00", "20:00", kind="course", dtstart=date(2027, 2, 2), count=10)
    summer = weekly("TU", "18:00", "20:00", kind="course", dtstart=date(2027, 6, 1), count=10)
    hours = weekly("MO", "09:00", "12:00")
    assert next_course_start([running, summer, spring, hours], [], date(2027, 1, 1)) == date(
        2027, 2, 2
    )


def test_course_start_on_a_holiday_moves_to_the_first_real_session():
    course = weekly("MO", "09:00", "12:00", kind="course", dtstart=date(2027, 3, 29), count=8)
    # Easter Monday 29 March 2027 is a holiday: the course begins on 5 April.
    assert next_course_start([course], [], date(2027, 3, 1)) == date(2027, 4, 5)


def test_count_includes_the_sessions_lost_to_holidays():
    course = weekly("MO", "09:00", "12:00", kind="course", dtstart=date(2027, 3, 22), count=3)
    days = list(rule_days(course, date(2027, 3, 1), date(2027, 6, 1)))
    assert days == [date(2027, 3, 22), date(2027, 4, 5)]


def test_closures_and_extra_dates():
    rule = weekly("MO,TU,WE,TH,FR", "09:00", "12:00")
    closure = ScheduleExceptionValue(
        kind="closed", starts_on=date(2026, 12, 23), ends_on=date(2027, 1, 3)
    )
    extra = ScheduleExceptionValue(
        kind="extra",
        starts_on=date(2027, 1, 9),
        ends_on=date(2027, 1, 9),
        opens_at=time(10),
        closes_at=time(14),
    )
    found = openings([rule], [closure, extra], date(2026, 12, 21), date(2027, 1, 10))
    days = [o.day for o in found]
    assert days[:2] == [date(2026, 12, 21), date(2026, 12, 22)]
    assert date(2026, 12, 28) not in days
    assert days[2] == date(2027, 1, 4)
    saturday = [o for o in found if o.day == date(2027, 1, 9)]
    assert len(saturday) == 1
    assert saturday[0].local_start.time() == time(10)
    assert saturday[0].extra


def test_a_closure_for_one_rule_leaves_the_others_open():
    morning = weekly("MO", "09:00", "12:00")
    afternoon = weekly("MO", "14:00", "16:00")
    closure = ScheduleExceptionValue(
        kind="closed",
        starts_on=date(2027, 2, 8),
        ends_on=date(2027, 2, 8),
        schedule_id=afternoon.id,
    )
    found = openings([morning, afternoon], [closure], date(2027, 2, 8), date(2027, 2, 8))
    assert [o.rule_id for o in found] == [morning.id]


def test_valid_from_and_to_bound_the_rule():
    rule = weekly("MO", "09:00", "12:00", valid_from=date(2027, 2, 1), valid_to=date(2027, 2, 28))
    assert list(rule_days(rule, date(2027, 1, 1), date(2027, 12, 31))) == [
        date(2027, 2, 1),
        date(2027, 2, 8),
        date(2027, 2, 15),
        date(2027, 2, 22),
    ]


def test_next_opening_skips_a_holiday():
    rule = weekly("TH", "14:00", "16:00")
    # Wednesday before Fronleichnam: the Thursday is a holiday, so next week.
    found = next_opening([rule], [], berlin(2027, 5, 26, 12, 0))
    assert found is not None
    assert found.local_start == berlin(2027, 6, 3, 14, 0)


def test_next_opening_finds_a_monthly_rule_weeks_ahead():
    rule = validate_rule(
        Rule(freq="MONTHLY", byday=parse_byday("1SA"), opens_at=time(10), closes_at=time(13))
    )
    found = next_opening([rule], [], berlin(2027, 3, 7, 9, 0))
    assert found is not None
    assert found.local_start == berlin(2027, 4, 3, 10, 0)


def test_labels_open_until_and_next():
    morning = weekly("MO", "09:00", "12:00")
    noon = weekly("MO", "12:00", "15:00", appointment_only=True)
    label = opening_label([morning, noon], [], berlin(2027, 2, 8, 10, 0))
    assert label.state == "open"
    assert label.until == berlin(2027, 2, 8, 15, 0)
    closed = opening_label([morning, noon], [], berlin(2027, 2, 8, 16, 0))
    assert closed.state == "closed"
    assert closed.next_start == berlin(2027, 2, 15, 9, 0)
    assert opening_label([], [], berlin(2027, 2, 8, 16, 0)).state == "unknown"


def test_whole_day_single_date():
    rule = validate_rule(Rule(kind="single", freq=None, dtstart=date(2027, 7, 3)))
    (opening,) = openings([rule], [], date(2027, 7, 1), date(2027, 7, 31))
    assert opening.end - opening.start == timedelta(hours=24)
    assert open_at([rule], [], berlin(2027, 7, 3, 23, 30)) is not None


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (Rule(freq="WEEKLY", interval=2, byday=parse_byday("MO")), "first date"),
        (Rule(freq="WEEKLY"), "weekday"),
        (
            Rule(freq="WEEKLY", byday=parse_byday("MO"), opens_at=time(12), closes_at=time(9)),
            "after the opening",
        ),
        (Rule(freq="DAILY"), "frequency"),
        (Rule(freq="WEEKLY", byday=parse_byday("MO"), count=10**6), "occurrences"),
        (Rule(kind="single", freq=None), "date"),
    ],
)
def test_invalid_rules_are_refused_with_a_reason(rule, message):
    with pytest.raises(RuleError, match=message):
        validate_rule(rule)


def test_numbered_weekdays_need_a_monthly_rule():
    with pytest.raises(RuleError, match="monthly"):
        parse_byday("1SA", "WEEKLY")
    with pytest.raises(RuleError, match="Unknown weekday"):
        parse_byday("XY")


@settings(max_examples=300, deadline=None)
@given(
    days=st.sets(st.integers(0, 6), min_size=0, max_size=7),
    interval=st.integers(1, 4),
    anchor=st.dates(date(2024, 1, 1), date(2028, 12, 31)),
    until=st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2030, 12, 31))),
    first=st.dates(date(2023, 6, 1), date(2029, 12, 31)),
    span=st.integers(0, 120),
)
def test_weekly_arithmetic_agrees_with_dateutil(days, interval, anchor, until, first, span):
    if until is not None and until < anchor:
        until = None
    rule = Rule(
        freq="WEEKLY",
        interval=interval,
        byday=tuple(DayRef(day) for day in sorted(days)),
        dtstart=anchor,
        until=until,
    )
    last = first + timedelta(days=span)
    generator = _rrule(rule, first)
    assert generator is not None
    expected = [
        moment.date()
        for moment in generator.between(
            datetime.combine(first, time(0)), datetime.combine(last, time(23, 59)), inc=True
        )
    ]
    assert list(raw_days(rule, first, last)) == expected


def test_a_single_date_on_a_public_holiday_stays_open():
    rule = validate_rule(
        Rule(
            kind="single",
            freq=None,
            dtstart=date(2027, 5, 27),
            opens_at=time(14),
            closes_at=time(18),
        )
    )
    assert list(rule_days(rule, date(2027, 5, 1), date(2027, 5, 31))) == [date(2027, 5, 27)]
