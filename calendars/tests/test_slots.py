"""Bookable slots: booked at most once under concurrency, released, invitations by e-mail."""

from __future__ import annotations

import asyncio
import email
import uuid
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from icalendar import Calendar

import calendars.consumers  # noqa: F401 (registers the invitation consumer)
from calendars import api, slots
from calendars.slots import SlotOfAnotherOfferError, SlotUnavailableError
from calendars.tables import AppointmentSlot
from conftest import run
from outbox.dispatcher import drain
from settings import get_settings


@pytest.fixture
def slot_ids(offer: Any) -> list[uuid.UUID]:
    day = date.today() + timedelta(days=7)
    created = run(
        slots.create_slots(
            offer.service_id,
            slots.slot_times(day, time(10), time(12), 60),
            offer.location_id,
        )
    )
    return [slot.id for slot in created]


@pytest.fixture
def case_manager(make_user: Any) -> Any:
    return make_user("case_manager", email="fall@stadt.example")


def mails() -> list[EmailMessage]:
    folder = get_settings().data_dir / "mail"
    found: list[EmailMessage] = []
    for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
        message: Any = email.message_from_bytes(path.read_bytes(), _class=EmailMessage)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


@pytest.fixture(autouse=True)
def empty_mailbox(db: None) -> None:
    folder = get_settings().data_dir / "mail"
    for path in folder.glob("*.eml") if folder.exists() else []:
        path.unlink()


def calendar_part(message: EmailMessage) -> Any:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return part.get_param("method"), Calendar.from_ical(payload)
    raise AssertionError("no text/calendar part")


async def test_a_slot_is_booked_at_most_once_under_concurrency(slot_ids, case_manager, offer):
    referrals = [uuid.uuid4() for _ in range(8)]
    results = await asyncio.gather(
        *(
            api.book_slot(slot_ids[0], offer.service_id, referral, case_manager.id)
            for referral in referrals
        ),
        return_exceptions=True,
    )
    booked = [r for r in results if isinstance(r, slots.SlotInfo)]
    refused = [r for r in results if isinstance(r, SlotUnavailableError)]
    assert len(booked) == 1
    assert len(refused) == 7
    row = await AppointmentSlot.select().where(AppointmentSlot.id == slot_ids[0]).first()
    assert row is not None
    assert row["booked_referral_id"] == booked[0].booked_referral_id
    assert row["booked_for_user"] == case_manager.id


async def test_a_referral_holds_one_slot_and_past_slots_cannot_be_booked(
    slot_ids, case_manager, offer
):
    referral = uuid.uuid4()
    await api.book_slot(slot_ids[0], offer.service_id, referral, case_manager.id)
    with pytest.raises(SlotUnavailableError, match="already has an appointment"):
        await api.book_slot(slot_ids[1], offer.service_id, referral, case_manager.id)
    past = await slots.create_slots(
        offer.service_id,
        [(datetime.now(UTC) - timedelta(hours=2), datetime.now(UTC) - timedelta(hours=1))],
    )
    with pytest.raises(SlotUnavailableError, match="past"):
        await api.book_slot(past[0].id, offer.service_id, uuid.uuid4(), case_manager.id)
    assert [s.id for s in await api.free_slots(offer.service_id)] == slot_ids[1:]


async def test_a_slot_of_another_offer_is_refused_and_stays_free(slot_ids, case_manager):
    with pytest.raises(SlotOfAnotherOfferError, match="another offer"):
        await api.book_slot(slot_ids[0], uuid.uuid4(), uuid.uuid4(), case_manager.id)
    row = await AppointmentSlot.select().where(AppointmentSlot.id == slot_ids[0]).first()
    assert row is not None and row["booked_referral_id"] is None


async def test_release_frees_the_slot_and_a_booked_slot_cannot_be_deleted(
    slot_ids, case_manager, offer
):
    referral = uuid.uuid4()
    await api.book_slot(slot_ids[0], offer.service_id, referral, case_manager.id)
    with pytest.raises(SlotUnavailableError, match="booked"):
        await slots.delete_free_slot(slot_ids[0])
    released = await api.release_slot(referral)
    assert released is not None and released.free and released.sequence == 2
    assert await api.release_slot(referral) is None
    await slots.delete_free_slot(slot_ids[0])
    assert not await AppointmentSlot.exists().where(AppointmentSlot.id == slot_ids[0])


async def test_booking_sends_an_invitation_and_release_a_cancellation(
    slot_ids, case_manager, offer
):
    referral = uuid.uuid4()
    await api.book_slot(slot_ids[0], offer.service_id, referral, case_manager.id)
    await drain()
    (invite,) = mails()
    assert invite["To"] == "fall@stadt.example"
    method, calendar = calendar_part(invite)
    assert method == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["ATTENDEE"]) == "mailto:fall@stadt.example"
    assert "Migrationsberatung für Erwachsene" in str(event["SUMMARY"])
    assert "Beratungsstelle Stadtmitte" in str(event["LOCATION"])
    uid = str(event["UID"])
    await api.release_slot(referral)
    await drain()
    _, cancel = mails()
    method, calendar = calendar_part(cancel)
    assert method == "CANCEL"
    (cancelled,) = calendar.walk("VEVENT")
    assert str(cancelled["UID"]) == uid
    assert cancelled["SEQUENCE"] > event["SEQUENCE"]
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_slot_times_cut_a_morning_in_berlin_time():
    times = slots.slot_times(date(2027, 3, 29), time(9), time(11), 45)
    assert [start.astimezone(slots.BERLIN).time() for start, _ in times] == [time(9), time(9, 45)]
    with pytest.raises(ValueError, match="after the start"):
        slots.slot_times(date(2027, 3, 29), time(11), time(9), 45)
