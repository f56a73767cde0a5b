"""Feeds over HTTP: public offer and provider feeds with ETag/304, and the personal feed."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from typing import Any

import recurring_ical_events
from icalendar import Calendar

from calendars import api, slots, store
from calendars.compute import openings
from calendars.ics_export import feed_window
from calendars.rules import Rule, parse_byday
from conftest import run


def add_hours(service_id: uuid.UUID, days: str = "MO,WE", opens: int = 9) -> Rule:
    rule = Rule(
        freq="WEEKLY",
        byday=parse_byday(days, "WEEKLY"),
        opens_at=time(opens),
        closes_at=time(opens + 3),
        service_id=service_id,
    )
    return run(store.add_rule(rule))


def test_offer_feed_is_public_with_etag_and_304(client: Any, offer: Any) -> None:
    add_hours(offer.service_id)
    url = f"/calendars/services/{offer.service_id}.ics"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    etag = response.headers["etag"]
    assert "BEGIN:VCALENDAR" in response.text and "RRULE:FREQ=WEEKLY" in response.text
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    add_hours(offer.service_id, "FR", 14)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_the_feed_has_the_occurrences_lotse_computes(client: Any, offer: Any) -> None:
    add_hours(offer.service_id)
    body = client.get(f"/calendars/services/{offer.service_id}.ics").content
    first, last = feed_window(date.today())
    schedules = run(store.schedules_by_service([offer.service_id]))[offer.service_id]
    expected = {
        (o.start, o.end) for o in openings(schedules.rules, schedules.exceptions, first, last)
    }
    parsed = recurring_ical_events.of(Calendar.from_ical(body)).between(
        first, last + timedelta(days=1)
    )
    assert {(e["DTSTART"].dt, e["DTEND"].dt) for e in parsed} == expected


def test_provider_feed_holds_every_offer(client: Any, offer: Any, make_service: Any) -> None:
    other = make_service(offer.organization_id, name="Sprachcafé")
    add_hours(offer.service_id)
    add_hours(other, "TU", 15)
    response = client.get(f"/calendars/organizations/{offer.organization_id}.ics")
    assert response.status_code == 200
    summaries = {str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert summaries == {"Migrationsberatung für Erwachsene", "Sprachcafé"}


def test_unknown_or_malformed_feed_addresses_are_404(client: Any, db: None) -> None:
    assert client.get(f"/calendars/services/{uuid.uuid4()}.ics").status_code == 404
    assert client.get("/calendars/services/nothing.ics").status_code == 404
    assert client.get(f"/calendars/organizations/{uuid.uuid4()}.ics").status_code == 404
    assert client.get("/calendars/feeds/short.ics").status_code == 404


def test_personal_feed_shows_booked_appointments_without_clients(
    client: Any, offer: Any, make_user: Any, api_client: Any
) -> None:
    manager = make_user("case_manager")
    day = date.today() + timedelta(days=3)
    (slot,) = run(
        slots.create_slots(
            offer.service_id, slots.slot_times(day, time(10), time(11), 60), offer.location_id
        )
    )
    referral = uuid.uuid4()
    run(api.book_slot(slot.id, offer.service_id, referral, manager.id))
    created = api_client(manager).post("/api/calendars/feed")
    assert created.status_code == 201
    url = created.json()["url"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    feed = client.get("/" + path)
    assert feed.status_code == 200
    assert feed.headers["cache-control"].startswith("private")
    event: Any
    (event,) = Calendar.from_ical(feed.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Termin: Migrationsberatung für Erwachsene"
    assert "Beratungsstelle Stadtmitte" in str(event["LOCATION"])
    assert event["DTSTART"].dt == slot.starts_at
    assert str(referral) in str(event["URL"])
    assert "ATTENDEE" not in event
    assert manager.email not in feed.text
    # A new address replaces the old one; turning it off ends both.
    newer = api_client(manager).post("/api/calendars/feed").json()["url"]
    assert client.get("/" + path).status_code == 404
    newer_path = "/" + newer.split("://", 1)[1].split("/", 1)[1]
    assert client.get(newer_path).status_code == 200
    assert api_client(manager).delete("/api/calendars/feed").status_code == 204
    assert client.get(newer_path).status_code == 404


def test_my_feed_page_shows_the_address_once(client: Any, make_user: Any, login: Any) -> None:
    user = make_user("case_manager")
    login(client, user)
    page = client.get("/calendars/my-feed")
    assert page.status_code == 200
    assert "Kalenderadresse" in page.text
    created = client.post("/calendars/my-feed")
    assert created.status_code == 200
    assert "/calendars/feeds/" in created.text
    shown_again = client.get("/calendars/my-feed")
    assert "/calendars/feeds/" not in shown_again.text
    revoked = client.post("/calendars/my-feed/revoke", follow_redirects=False)
    assert revoked.status_code == 303


def test_feed_week_window_is_stable_within_a_year() -> None:
    assert feed_window(date(2027, 1, 2)) == feed_window(date(2027, 12, 30))
    assert feed_window(date(2027, 6, 1))[0] == date(2026, 1, 1)
