"""The one time zone of the interface and of every schedule: Europe/Berlin."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def berlin_now() -> datetime:
    return datetime.now(UTC).astimezone(BERLIN)


def berlin_today() -> date:
    return berlin_now().date()
