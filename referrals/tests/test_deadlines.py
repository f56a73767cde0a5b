"""Answer deadlines count working days: weekends and NRW public holidays do not count."""

from __future__ import annotations

from datetime import UTC, date, datetime

from referrals.deadlines import (
    add_working_days,
    answer_due,
    is_expired,
    place_offer_deadline,
    reminder_day,
)


def test_five_working_days_skip_the_weekend():
    # Wednesday 4 March 2026 + 5 working days = Wednesday 11 March.
    assert add_working_days(date(2026, 3, 4), 5) == date(2026, 3, 11)


def test_easter_holidays_do_not_count():
    # Thursday 2 April 2026; Good Friday (3rd) and Easter Monday (6th) are holidays in NRW.
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)


def test_corpus_christi_is_a_holiday_in_nrw():
    # Corpus Christi 2026 is Thursday 4 June, a public holiday in North Rhine-Westphalia.
    assert add_working_days(date(2026, 6, 3), 1) == date(2026, 6, 5)


def test_answer_due_is_counted_in_berlin_time():
    # 23:30 UTC on Friday 6 March is already Saturday in Berlin: count from Saturday.
    sent = datetime(2026, 3, 6, 23, 30, tzinfo=UTC)
    assert answer_due(sent, 5) == date(2026, 3, 13)


def test_reminder_comes_the_working_day_before():
    assert reminder_day(date(2026, 3, 9)) == date(2026, 3, 6)


def test_expiry_after_the_last_day():
    due = date(2026, 3, 9)
    assert not is_expired(due, datetime(2026, 3, 9, 22, 0, tzinfo=UTC))
    assert is_expired(due, datetime(2026, 3, 9, 23, 30, tzinfo=UTC))


def test_place_offer_lasts_two_working_days():
    now = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)  # a Friday
    until = place_offer_deadline(now)
    assert until.date() == date(2026, 3, 10)
