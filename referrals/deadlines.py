"""Answer and confirmation deadlines, counted in working days (weekends and NRW holidays off)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from calendars.api import add_working_days, load_holidays
from core.time import BERLIN
from settings import get_settings

__all__ = ["add_working_days", "answer_due", "is_expired", "place_offer_deadline"]

# A freed place is held this many working days for the head of the waitlist.
PLACE_OFFER_WORKING_DAYS = 2


def local_today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(BERLIN).date()


def answer_due(sent_at: datetime, days: int | None = None) -> date:
    """The last day on which a referral sent at `sent_at` should be answered."""
    count = get_settings().answer_deadline_days if days is None else days
    return add_working_days(local_today(sent_at), count)


def prepare(now: datetime) -> None:
    """Make sure the holiday tables are loaded before a transaction counts deadlines with them
    (cheap once loaded; the first load must not happen while holding the write lock)."""
    load_holidays(local_today(now))


def reminder_day(due: date) -> date:
    """The provider is reminded on the working day before the deadline."""
    return add_working_days(due, -1)


def is_expired(due: date, now: datetime | None = None) -> bool:
    """Expired once the whole last day has passed in Berlin."""
    return local_today(now) > due


def place_offer_deadline(now: datetime) -> datetime:
    """End of the second working day from now (Berlin), as an aware UTC moment."""
    last_day = add_working_days(local_today(now), PLACE_OFFER_WORKING_DAYS)
    end = datetime.combine(last_day, time(23, 59, 59), tzinfo=BERLIN)
    return end.astimezone(UTC)
