"""Feeds of offers and providers whose names were stored with a line break (before names were
checked at input) still answer: the calendar's name is escaped as text."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar

from calendars.tests.test_web_feeds import add_hours


def test_offer_feed_answers_for_a_name_with_a_line_break(
    client: Any, make_org: Any, make_service: Any
) -> None:
    service_id = make_service(make_org("Caritas Mülheim"), name="Deutschkurs\nam Abend")
    add_hours(service_id)
    response = client.get(f"/calendars/services/{service_id}.ics")
    assert response.status_code == 200
    assert b"X-WR-CALNAME:Deutschkurs\\nam Abend\r\n" in response.content
    calendar = Calendar.from_ical(response.content)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert summaries == ["Deutschkurs\nam Abend"]


def test_provider_feed_answers_for_a_name_with_a_line_break(
    client: Any, make_org: Any, make_service: Any
) -> None:
    org = make_org("Caritas\r\nMülheim")
    add_hours(make_service(org, name="Migrationsberatung"))
    response = client.get(f"/calendars/organizations/{org}.ics")
    assert response.status_code == 200
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 1
