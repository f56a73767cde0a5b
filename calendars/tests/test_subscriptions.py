"""Following a calendar URL: a real HTTP server on loopback, conditional requests, updates in
place, failures that change nothing, and private addresses refused by default."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from calendars import subscriptions
from calendars.tables import CalendarSubscription, Schedule
from conftest import run

DATA = Path(__file__).parent / "data"
TODAY = date(2026, 12, 1)


class CalendarServer:
    """Serves one .ics body at /calendar.ics with an ETag, and records the requests."""

    def __init__(self) -> None:
        self.body = (DATA / "google.ics").read_bytes()
        self.requests: list[dict[str, str]] = []
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append({k.lower(): v for k, v in self.headers.items()})
                if self.path == "/moved":
                    self.send_response(302)
                    self.send_header("Location", "/calendar.ics")
                    self.end_headers()
                    return
                if outer.status != 200:
                    self.send_response(outer.status)
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha256(outer.body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server() -> Iterator[CalendarServer]:
    running = CalendarServer()
    yield running
    running.close()


@pytest.fixture
def private_allowed(loopback_allowed: None) -> None:
    """The test server on loopback is allow-listed, as a city's intranet calendar would be."""


def count_rows() -> int:
    return int(run(Schedule.count()))


def test_first_poll_imports_and_the_next_asks_conditionally(offer, server, private_allowed):
    sub = run(
        subscriptions.add_subscription(
            offer.service_id, f"{server.url}/calendar.ics", "hours", None
        )
    )
    first = run(subscriptions.poll_subscription(sub, TODAY))
    assert first.changed and first.error == ""
    rows = count_rows()
    assert rows > 0
    second = run(subscriptions.poll_subscription(sub, TODAY))
    assert not second.changed
    assert server.requests[-1]["if-none-match"].startswith('"')
    assert count_rows() == rows
    server.body = server.body.replace(b"SUMMARY:Sommerfest", b"SUMMARY:Sommerfest im Park")
    third = run(subscriptions.poll_subscription(sub, TODAY))
    assert third.changed and third.summary is not None
    assert (third.summary.created, third.summary.updated, third.summary.removed) == (0, 1, 0)
    assert count_rows() == rows
    assert run(Schedule.exists().where(Schedule.description == "Sommerfest im Park"))


def test_webcal_addresses_and_redirects_are_followed(offer, server, private_allowed):
    url = f"{server.url}/moved".replace("http://", "webcal://")
    assert subscriptions.normalise_url(url).startswith("https://")
    sub = run(
        subscriptions.add_subscription(offer.service_id, f"{server.url}/moved", "course", None)
    )
    outcome = run(subscriptions.poll_subscription(sub, TODAY))
    assert outcome.changed
    kinds = {row["kind"] for row in run(Schedule.select(Schedule.kind))}
    assert "course" in kinds


def test_a_failing_server_or_broken_file_changes_nothing(offer, server, private_allowed):
    sub = run(
        subscriptions.add_subscription(
            offer.service_id, f"{server.url}/calendar.ics", "hours", None
        )
    )
    run(subscriptions.poll_subscription(sub, TODAY))
    rows = count_rows()
    server.status = 500
    failed = run(subscriptions.poll_subscription(sub, TODAY, force=True))
    assert "500" in failed.error
    server.status = 200
    server.body = b"BEGIN:VCALENDAR\r\nthis is broken"
    broken = run(subscriptions.poll_subscription(sub, TODAY, force=True))
    assert broken.error
    assert count_rows() == rows
    row = run(CalendarSubscription.select().where(CalendarSubscription.id == sub).first())
    assert row is not None
    german = subscriptions.error_text(row["last_error"], lambda text: text)
    assert german.startswith("This is not a valid iCalendar file")


def test_private_addresses_are_refused_by_default(offer, server):
    sub = run(
        subscriptions.add_subscription(
            offer.service_id, f"{server.url}/calendar.ics", "hours", None
        )
    )
    outcome = run(subscriptions.poll_subscription(sub, TODAY))
    assert "private network" in outcome.error
    assert server.requests == []
    assert count_rows() == 0


def test_carrier_grade_nat_addresses_are_refused(offer, resolves):
    resolves({"kalender.provider.example": "100.64.12.7"})
    for url in ("http://100.64.1.1/calendar.ics", "https://kalender.provider.example/k.ics"):
        sub = run(subscriptions.add_subscription(offer.service_id, url, "hours", None))
        outcome = run(subscriptions.poll_subscription(sub, TODAY))
        assert "private network" in outcome.error


def test_the_request_goes_to_the_address_that_was_checked(
    offer, server, resolves, outbound_allow
):
    port = server.server.server_address[1]
    outbound_allow("kalender.intranet.example")
    resolves({"kalender.intranet.example": "127.0.0.1"})
    url = f"http://kalender.intranet.example:{port}/calendar.ics"
    sub = run(subscriptions.add_subscription(offer.service_id, url, "hours", None))
    outcome = run(subscriptions.poll_subscription(sub, TODAY))
    assert outcome.changed and outcome.error == ""
    assert server.requests[-1]["host"] == f"kalender.intranet.example:{port}"


def test_the_older_setting_still_allows_private_networks(offer, server, monkeypatch):
    monkeypatch.setattr(subscriptions, "_private_allowed", lambda: True)
    sub = run(
        subscriptions.add_subscription(
            offer.service_id, f"{server.url}/calendar.ics", "hours", None
        )
    )
    assert run(subscriptions.poll_subscription(sub, TODAY)).changed


def test_only_web_addresses_can_be_followed(offer):
    for url in ("file:///etc/passwd", "ftp://example.org/x.ics", "not a url"):
        with pytest.raises(subscriptions.FetchError):
            run(subscriptions.add_subscription(offer.service_id, url, "hours", None))


def test_due_subscriptions_are_claimed_once(offer, server, private_allowed):
    sub = run(
        subscriptions.add_subscription(
            offer.service_id, f"{server.url}/calendar.ics", "hours", None
        )
    )
    now = datetime.now(UTC)
    assert run(subscriptions.claim_due(now)) == [sub]
    assert run(subscriptions.claim_due(now)) == []
    assert run(subscriptions.claim_due(now + subscriptions.POLL_EVERY + timedelta(minutes=1))) == [
        sub
    ]


def test_stopping_a_subscription_removes_its_dates(offer, server, private_allowed):
    sub = run(
        subscriptions.add_subscription(
            offer.service_id, f"{server.url}/calendar.ics", "hours", None
        )
    )
    run(subscriptions.poll_subscription(sub, TODAY))
    assert count_rows() > 0
    run(subscriptions.remove_subscription(sub))
    assert count_rows() == 0
