"""Finding a course by the times it runs: the search filter and the result card use the
course's sessions, not the provider's office hours, and say which is which."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from calendars import store
from calendars.rules import Rule, parse_byday
from conftest import run
from core.testing.browser import assert_accessible
from core.time import berlin_today
from search.embedded import EmbeddedEngine
from search.indexing import rebuild_all

COURSE = "Eltern- und Frauenintegrationskurs mit Kinderbetreuung"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EmbeddedEngine]:
    from search.runtime import use_engine

    fresh = EmbeddedEngine(tmp_path / "search-index")
    previous = use_engine(fresh)
    yield fresh
    use_engine(previous)
    fresh.close()


@pytest.fixture
def vhs_course(make_org: Any, make_service: Any, engine: EmbeddedEngine) -> Any:
    org = make_org("Volkshochschule Mülheim", kind="education")
    service = make_service(org, name=COURSE)
    today = berlin_today()
    course = Rule(kind="course", freq="WEEKLY", byday=parse_byday("MO,TU,WE,TH,FR", "WEEKLY"),
                  opens_at=time(8, 30), closes_at=time(12, 45), dtstart=today - timedelta(days=14),
                  until=today + timedelta(days=120), open_on_holidays=True, service_id=service)
    office = Rule(kind="hours", freq="WEEKLY", byday=parse_byday("TU", "WEEKLY"),
                  opens_at=time(10), closes_at=time(12), open_on_holidays=True, service_id=service)
    run(store.add_rule(course))
    run(store.add_rule(office))
    run(rebuild_all(engine))
    return service


def test_a_course_is_found_at_its_session_times_and_says_so(
    page: Any, make_user: Any, browser_login: Any, vhs_course: Any
) -> None:
    browser_login(page, make_user("case_manager"))
    page.goto("/search?open_day=mon&open_time=09:00")
    card = page.locator(".hit").filter(has_text=COURSE)
    assert card.count() == 1
    text = card.inner_text()
    assert "Kurs: Mo–Fr 08:30–12:45" in text
    assert "Sprechzeit: Di 10:00–12:00" in text
    assert "Öffnet" not in text
    assert_accessible(page)


def test_office_hours_alone_do_not_make_a_course_match(
    page: Any, make_user: Any, browser_login: Any, vhs_course: Any
) -> None:
    browser_login(page, make_user("case_manager"))
    page.set_viewport_size({"width": 390, "height": 844})
    # Saturday morning: neither course nor office.
    page.goto("/search?open_day=sat&open_time=09:00")
    assert page.locator(".hit").filter(has_text=COURSE).count() == 0
    # In the afternoon the office is closed and the course is over.
    page.goto("/search?open_day=tue&open_time=14:00")
    assert page.locator(".hit").filter(has_text=COURSE).count() == 0
    page.goto("/search?open_day=fri")
    assert page.locator(".hit").filter(has_text=COURSE).count() == 1


def test_a_course_that_starts_later_is_found_at_its_future_times(
    make_org: Any, make_service: Any, engine: EmbeddedEngine
) -> None:
    from search.engine import OpenAt, SearchQuery

    service = make_service(make_org("Volkshochschule"), name="Abendkurs Deutsch B1")
    start = berlin_today() + timedelta(days=30)
    run(store.add_rule(Rule(kind="course", freq="WEEKLY", byday=parse_byday("WE", "WEEKLY"),
                            opens_at=time(18), closes_at=time(20), dtstart=start,
                            until=start + timedelta(days=90), service_id=service)))
    run(rebuild_all(engine))
    wednesday_evening = SearchQuery(open_at=OpenAt(weekday=2, minute=19 * 60))
    assert [hit.id for hit in engine.search(wednesday_evening).hits] == [service]
    assert start > date.today()
