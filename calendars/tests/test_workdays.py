"""Working days: weekends and NRW public holidays do not count."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from calendars.workdays import (
    add_working_days,
    holiday_name,
    holidays_between,
    is_working_day,
    working_days_between,
)


def test_five_working_days_across_easter():
    # Wednesday 24 March 2027; Good Friday 26 March and Easter Monday 29 March don't count.
    # Counted: Thu 25, Tue 30, Wed 31 March, Thu 1 and Fri 2 April.
    assert add_working_days(date(2027, 3, 24), 5) == date(2027, 4, 2)
    assert working_days_between(date(2027, 3, 24), date(2027, 4, 2)) == 5
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)


def test_counting_backwards_and_zero():
    assert add_working_days(date(2027, 3, 30), -1) == date(2027, 3, 25)
    assert add_working_days(date(2027, 3, 27), 0) == date(2027, 3, 27)
    assert working_days_between(date(2027, 4, 2), date(2027, 3, 24)) == -5
    assert working_days_between(date(2027, 3, 24), date(2027, 3, 24)) == 0


def test_nrw_holidays_are_not_working_days_but_other_states_holidays_are():
    assert not is_working_day(date(2027, 5, 27))  # Fronleichnam
    assert not is_working_day(date(2027, 11, 1))  # Allerheiligen
    assert is_working_day(date(2025, 10, 31))  # Reformationstag: not in NRW
    assert is_working_day(date(2026, 3, 9))  # Internationaler Frauentag: Berlin only
    assert not is_working_day(date(2027, 5, 29))  # a Saturday


def test_holiday_names_in_german_and_english():
    assert holiday_name(date(2027, 5, 27)) == "Fronleichnam"
    assert holiday_name(date(2027, 12, 25), "en") == "Christmas Day"
    assert holiday_name(date(2027, 5, 28)) is None
    assert list(holidays_between(date(2027, 12, 20), date(2028, 1, 5))) == [
        date(2027, 12, 25),
        date(2027, 12, 26),
        date(2028, 1, 1),
    ]


def test_a_year_has_the_expected_number_of_working_days():
    # 2027: 261 weekdays minus 7 NRW holidays on a weekday (3 Oct, 25/26 Dec and 1 May are
    # on a weekend).
    assert working_days_between(date(2026, 12, 31), date(2027, 12, 31)) == 254


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=-40, max_value=40),
)
def test_adding_and_counting_are_inverse(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    if n > 0:
        assert is_working_day(end)


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=0, max_value=400),
)
def test_counting_agrees_with_walking_day_by_day(start, span):
    end = start + timedelta(days=span)
    walked = sum(
        1 for offset in range(1, span + 1) if is_working_day(start + timedelta(days=offset))
    )
    assert working_days_between(start, end) == walked
