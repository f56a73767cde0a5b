"""Appointment invitations and cancellations as calendar apps receive them."""

from __future__ import annotations

import email
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from icalendar import Calendar

from calendars.invitations import appointment_uid, invitation_email, invitation_ics


@dataclass
class Slot:
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    booked_referral_id: uuid.UUID | None = None


SLOT = Slot(
    id=uuid.UUID("33333333-3333-4333-8333-333333333333"),
    starts_at=datetime(2027, 3, 30, 8, 0, tzinfo=UTC),
    ends_at=datetime(2027, 3, 30, 8, 45, tzinfo=UTC),
    booked_referral_id=uuid.UUID("44444444-4444-4444-8444-444444444444"),
)


def event_of(data: bytes) -> tuple[Calendar, Any]:
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_request_invites_the_case_manager_with_the_slot_times():
    data = invitation_ics(
        SLOT,
        "beratung@caritas.example",
        "fallmanagement@stadt.example",
        "Termin: Migrationsberatung",
        "REQUEST",
        1,
        location="Friedrich-Ebert-Straße 1",
        now=datetime(2027, 3, 20, tzinfo=UTC),
    )
    calendar, event = event_of(data)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert calendar.walk("VTIMEZONE")
    assert str(event["UID"]) == appointment_uid(SLOT.id, SLOT.booked_referral_id)
    assert event["SEQUENCE"] == 1
    assert event["DTSTART"].dt == SLOT.starts_at
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    # 30 March 2027 is summer time: 08:00 UTC is 10:00 in Berlin.
    assert event["DTSTART"].dt.hour == 10
    assert event["DTEND"].dt == SLOT.ends_at
    assert str(event["ORGANIZER"]) == "mailto:beratung@caritas.example"
    assert str(event["ATTENDEE"]) == "mailto:fallmanagement@stadt.example"
    assert str(event["STATUS"]) == "CONFIRMED"


def test_cancel_reuses_the_uid_with_a_higher_sequence():
    request = invitation_ics(SLOT, "o@x.example", "a@x.example", "Termin", "REQUEST", 1)
    cancel = invitation_ics(SLOT, "o@x.example", "a@x.example", "Termin", "CANCEL", 2)
    _, first = event_of(request)
    calendar, second = event_of(cancel)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(second["UID"]) == str(first["UID"])
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert str(second["STATUS"]) == "CANCELLED"


def test_invitation_carries_only_what_it_is_given():
    data = invitation_ics(SLOT, "o@x.example", "a@x.example", "Termin: Beratung", "REQUEST", 0)
    _, event = event_of(data)
    assert set(event.keys()) <= {
        "UID",
        "DTSTAMP",
        "SEQUENCE",
        "DTSTART",
        "DTEND",
        "SUMMARY",
        "ORGANIZER",
        "ATTENDEE",
        "STATUS",
        "TRANSP",
        "CLASS",
        "LOCATION",
        "DESCRIPTION",
        "URL",
    }
    assert "CN" not in event["ATTENDEE"].params


def test_naive_times_and_unknown_methods_are_refused():
    naive = Slot(SLOT.id, datetime(2027, 3, 30, 8), datetime(2027, 3, 30, 9))
    with pytest.raises(ValueError, match="timezone-aware"):
        invitation_ics(naive, "o@x.example", "a@x.example", "T", "REQUEST", 0)
    with pytest.raises(ValueError, match="REQUEST or CANCEL"):
        invitation_ics(SLOT, "o@x.example", "a@x.example", "T", "PUBLISH", 0)  # type: ignore[arg-type]


def test_email_has_a_text_part_and_a_calendar_part_with_the_method():
    ics = invitation_ics(SLOT, "o@x.example", "a@x.example", "Termin", "REQUEST", 0)
    message = invitation_email(ics, "REQUEST", "lotse@x.example", "a@x.example", "Termin", "Hallo")
    parsed: Any = email.message_from_bytes(bytes(message), _class=EmailMessage)
    assert parsed.get_content_type() == "multipart/alternative"
    parts: list[Any] = list(parsed.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/calendar"]
    assert parts[1].get_param("method") == "REQUEST"
    assert parts[1].get_payload(decode=True) == ics
    start = SLOT.starts_at
    assert event_of(parts[1].get_payload(decode=True))[1]["DTSTART"].dt - start == timedelta(0)
