"""The one time zone of the interface and of every schedule: Europe/Berlin."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def berlin_now() -> datetime:
    return datetime.now(UTC).astimezone(BERLIN)


def berlin_today() -> date:
    return berlin_now().date()


def in_berlin(moment: datetime) -> datetime:
    """A stored instant as Berlin wall-clock time; a naive value is UTC (as SQLite returns it)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(BERLIN)


def when_text(moment: datetime | date | None) -> str:
    """ "15.03.2027 15:33" in Berlin time, for every page and e-mail; "" for nothing."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return moment.strftime("%d.%m.%Y")
    return in_berlin(moment).strftime("%d.%m.%Y %H:%M")


def day_text(moment: datetime | date | None) -> str:
    """ "15.03.2027": the Berlin day of an instant, or a date as it is."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = in_berlin(moment)
    return moment.strftime("%d.%m.%Y")
