"""Provider and offer feeds are kept per process until the outbox reports a change: built once
for many calendar apps, and built afresh as soon as a change is committed, even before the
dispatcher delivered it."""

from __future__ import annotations

from typing import Any

import pytest
from icalendar import Calendar

from calendars import feeds
from calendars.tests.test_web_feeds import add_hours
from conftest import run
from outbox.dispatcher import drain


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts how often the provider feed is built."""
    built: list[str] = []
    original = feeds.organization_feed

    async def counting(*args: Any) -> bytes | None:
        built.append("organization")
        return await original(*args)

    monkeypatch.setattr(feeds, "organization_feed", counting)
    return built


def _summaries(body: bytes) -> set[str]:
    return {str(e["SUMMARY"]) for e in Calendar.from_ical(body).walk("VEVENT")}


def test_a_provider_feed_is_built_once_while_nothing_changes(
    client: Any, offer: Any, builds: list[str]
) -> None:
    add_hours(offer.service_id)
    url = f"/calendars/organizations/{offer.organization_id}.ics"
    answers = [client.get(url) for _ in range(3)]
    assert builds == ["organization"]
    assert len({a.headers["etag"] for a in answers}) == 1
    assert len({a.content for a in answers}) == 1
    assert client.get(url, headers={"If-None-Match": answers[0].headers["etag"]}).status_code == 304


def test_a_committed_schedule_change_gives_a_new_provider_feed_before_delivery(
    client: Any, offer: Any, make_service: Any, builds: list[str]
) -> None:
    url = f"/calendars/organizations/{offer.organization_id}.ics"
    add_hours(offer.service_id)
    first = client.get(url)
    other = make_service(offer.organization_id, name="Sprachcafé")
    # Publishes calendars.schedule_changed with the rule; no dispatcher has run.
    add_hours(other, "TU", 15)
    second = client.get(url)
    assert second.headers["etag"] != first.headers["etag"]
    assert _summaries(second.content) == {"Migrationsberatung für Erwachsene", "Sprachcafé"}
    assert len(builds) == 2
    # Delivering the events later changes nothing more.
    run(drain())
    assert client.get(url).headers["etag"] == second.headers["etag"]
    assert len(builds) == 2

