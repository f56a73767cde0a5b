"""Calendar invitations (iTIP/iMIP, RFC 5546/6047) for booked appointment slots.

The case manager who referred is the attendee; the invitation names the offer and the place,
never the client. A cancellation reuses the UID with a higher SEQUENCE.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Literal, Protocol
from uuid import UUID

from icalendar import Calendar, Event, vCalAddress, vText

from calendars.ics_export import PRODID, UID_DOMAIN
from calendars.vtimezone import berlin_timezone
from core.time import BERLIN
from core.validation import one_line

Method = Literal["REQUEST", "CANCEL"]


class SlotLike(Protocol):
    @property
    def id(self) -> UUID: ...

    @property
    def starts_at(self) -> datetime: ...

    @property
    def ends_at(self) -> datetime: ...


def appointment_uid(slot_id: UUID, referral_id: UUID | None) -> str:
    """One UID per booking: a slot booked again for another referral is another event."""
    suffix = f"-{referral_id}" if referral_id else ""
    return f"appointment-{slot_id}{suffix}@{UID_DOMAIN}"


def invitation_ics(
    slot: SlotLike,
    organizer_email: str,
    attendee_email: str,
    summary: str,
    method: Method,
    sequence: int,
    *,
    referral_id: UUID | None = None,
    location: str = "",
    description: str = "",
    organizer_name: str = "",
    url: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """The iCalendar object of an invitation (REQUEST) or its cancellation (CANCEL)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError("method must be REQUEST or CANCEL")
    if slot.starts_at.tzinfo is None or slot.ends_at.tzinfo is None:
        raise ValueError("slot times must be timezone-aware")
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    referral = referral_id or getattr(slot, "booked_referral_id", None)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(berlin_timezone())
    event = Event()
    event.add("uid", appointment_uid(slot.id, referral))
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", slot.starts_at.astimezone(BERLIN))
    event.add("dtend", slot.ends_at.astimezone(BERLIN))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    organizer = vCalAddress(f"mailto:{organizer_email}")
    if organizer_name:
        organizer.params["CN"] = vText(organizer_name)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
    attendee.params["PARTSTAT"] = vText("NEEDS-ACTION" if method == "REQUEST" else "DECLINED")
    attendee.params["RSVP"] = vText("FALSE")
    event.add("attendee", attendee)
    event.add("status", "CONFIRMED" if method == "REQUEST" else "CANCELLED")
    event.add("transp", "OPAQUE")
    event.add("class", "PRIVATE")
    cal.add_component(event)
    return bytes(cal.to_ical())


def invitation_email(
    ics: bytes,
    method: Method,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
) -> EmailMessage:
    """An iMIP message: a readable text part and the text/calendar part with the method."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = one_line(subject)  # an offer name with a line break stays one header
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(
        ics,
        maintype="text",
        subtype="calendar",
        params={"method": method, "charset": "UTF-8"},
    )
    return message
