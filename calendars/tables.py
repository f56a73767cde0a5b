"""Tables of the calendars domain: schedules, their exceptions, bookable slots, feeds.

A `Schedule` row is one iCalendar recurrence rule with one opening interval, shaped like an
HSDS `schedule` so that the export is a mapping. Times are wall-clock times in Europe/Berlin.
"""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.references import TableReference, table_ref


def _directory(table: str) -> TableReference:
    """A directory table, named lazily: schedules hang on directory rows, but calendars never
    imports `directory.tables`."""
    return table_ref(table, "directory")


class CalendarSubscription(Table):
    """An offer follows a published calendar URL; the poller fetches it conditionally."""

    id = UUID(primary_key=True)
    service: ForeignKey[Table] = ForeignKey(
        references=_directory("Service"), index=True, on_delete=OnDelete.cascade
    )
    url = Varchar(length=1000)
    # What recurring events of this calendar become: hours or course.
    kind = Varchar(length=10, default="hours")
    active = Boolean(default=True)
    # Validators of the last successful response, sent back as If-None-Match/If-Modified-Since.
    etag = Varchar(length=500, null=True, default=None)
    last_modified = Varchar(length=100, null=True, default=None)
    content_hash = Varchar(length=64, null=True, default=None)
    last_polled = Timestamptz(null=True, default=None)
    last_success = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Schedule(Table):
    """One recurrence rule (or one single date) with an opening interval."""

    id = UUID(primary_key=True)
    service: ForeignKey[Table] = ForeignKey(
        references=_directory("Service"),
        null=True,
        default=None,
        index=True,
        on_delete=OnDelete.cascade,
    )
    location: ForeignKey[Table] = ForeignKey(
        references=_directory("Location"),
        null=True,
        default=None,
        index=True,
        on_delete=OnDelete.cascade,
    )
    service_at_location: ForeignKey[Table] = ForeignKey(
        references=_directory("ServiceAtLocation"),
        null=True,
        default=None,
        index=True,
        on_delete=OnDelete.cascade,
    )
    # hours (opening/consultation hours), course (date-bounded sessions), single (one date)
    kind = Varchar(length=10, default="hours")
    # RRULE parts; freq is None for a single date.
    freq = Varchar(length=10, null=True, default=None)
    interval = Integer(default=1)
    byday = Varchar(length=100, default="")
    bymonthday = Varchar(length=100, default="")
    dtstart = Date(null=True, default=None)
    until = Date(null=True, default=None)
    # RRULE COUNT (named so because `count` is a query method of Piccolo tables).
    repeat_count = Integer(null=True, default=None)
    # opens_at None means the whole day; closes_at None with opens_at set means until midnight.
    opens_at = Time(null=True, default=None)
    closes_at = Time(null=True, default=None)
    valid_from = Date(null=True, default=None)
    valid_to = Date(null=True, default=None)
    description = Text(default="")
    notes = Text(default="")
    appointment_only = Boolean(default=False)
    open_on_holidays = Boolean(default=False)
    source = Varchar(length=10, default="manual")
    subscription = ForeignKey(
        references=CalendarSubscription,
        null=True,
        default=None,
        index=True,
        on_delete=OnDelete.cascade,
    )
    external_uid = Varchar(length=500, null=True, default=None, index=True)
    sequence = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    last_modified = Timestamptz(default=TimestamptzNow(), index=True)


class ScheduleException(Table):
    """A closure (a date or a range) or an extra date, for an owner or one schedule."""

    id = UUID(primary_key=True)
    service: ForeignKey[Table] = ForeignKey(
        references=_directory("Service"),
        null=True,
        default=None,
        index=True,
        on_delete=OnDelete.cascade,
    )
    location: ForeignKey[Table] = ForeignKey(
        references=_directory("Location"),
        null=True,
        default=None,
        index=True,
        on_delete=OnDelete.cascade,
    )
    service_at_location: ForeignKey[Table] = ForeignKey(
        references=_directory("ServiceAtLocation"),
        null=True,
        default=None,
        index=True,
        on_delete=OnDelete.cascade,
    )
    # Set when the exception concerns one rule only (an EXDATE of an imported event).
    schedule = ForeignKey(
        references=Schedule, null=True, default=None, index=True, on_delete=OnDelete.cascade
    )
    # closed | extra
    kind = Varchar(length=10, default="closed")
    starts_on = Date()
    ends_on = Date()
    opens_at = Time(null=True, default=None)
    closes_at = Time(null=True, default=None)
    description = Text(default="")
    source = Varchar(length=10, default="manual")
    subscription = ForeignKey(
        references=CalendarSubscription,
        null=True,
        default=None,
        index=True,
        on_delete=OnDelete.cascade,
    )
    external_uid = Varchar(length=500, null=True, default=None, index=True)
    sequence = Integer(default=0)
    last_modified = Timestamptz(default=TimestamptzNow(), index=True)


class AppointmentSlot(Table):
    """A bookable consultation slot of an offer; accepting a referral books one."""

    id = UUID(primary_key=True)
    service: ForeignKey[Table] = ForeignKey(
        references=_directory("Service"), index=True, on_delete=OnDelete.cascade
    )
    location: ForeignKey[Table] = ForeignKey(
        references=_directory("Location"), null=True, default=None, on_delete=OnDelete.set_null
    )
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    note = Varchar(length=255, default="")
    # A referral id (no FK across domains) and the case manager's user id.
    booked_referral_id = UUID(null=True, default=None, unique=True)
    booked_for_user = UUID(null=True, default=None, index=True)
    booked_at = Timestamptz(null=True, default=None)
    # Raised on every booking or release, so invitations and cancellations supersede.
    sequence = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    last_modified = Timestamptz(default=TimestamptzNow())


class FeedToken(Table):
    """The secret of a personal appointments feed; only its SHA-256 is stored."""

    id = UUID(primary_key=True)
    user_id = UUID(index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class FeedVersion(Table):
    """When a public feed's content last changed: the moment its current ETag was first served.
    One row per feed address and language; it gives the feed an honest Last-Modified."""

    id = UUID(primary_key=True)
    key = Varchar(length=120, unique=True)
    etag = Varchar(length=40)
    changed_at = Timestamptz()
