"""The calendar pages in a real browser: editing hours, the week view, the personal feed page;
German and English; checked with axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Any

from playwright.sync_api import expect

from calendars import store
from calendars.rules import Rule, ScheduleExceptionValue, parse_byday
from conftest import run
from core.testing.browser import assert_accessible, expect_heading


def next_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


def test_provider_enters_weekly_hours_and_sees_them_in_the_week(
    page: Any, offer: Any, make_user: Any, browser_login: Any
) -> None:
    staff = make_user("provider_staff", offer.organization_id)
    browser_login(page, staff)
    page.goto(f"/calendars/services/{offer.service_id}/schedule")
    expect_heading(page, re.compile("^Öffnungszeiten"))
    assert_accessible(page)
    weekly = page.locator("form", has=page.locator("input[name=form][value=weekly]"))
    weekly.get_by_label("Dienstag").check()
    weekly.get_by_label("Donnerstag").check()
    weekly.get_by_label("Öffnet um").fill("09:00")
    weekly.get_by_label("Schließt um").fill("12:30")
    weekly.get_by_label("Nur nach Terminvereinbarung").check()
    weekly.get_by_role("button", name="Wöchentliche Zeiten speichern").click()
    page.wait_for_url("**done=rule-added**")
    assert "Die Öffnungszeiten wurden gespeichert." in page.inner_text("main")
    assert "Di, Do 09:00–12:30" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_role("link", name="Wochenansicht zeigen").click()
    page.goto(f"/calendars/services/{offer.service_id}/week?start={next_monday()}")
    table = page.get_by_role("table")
    assert "09:00–12:30" in table.inner_text()
    assert "nach Vereinbarung" in table.inner_text()
    assert_accessible(page)


def test_a_form_error_is_announced_and_accessible(
    page: Any, offer: Any, make_user: Any, browser_login: Any
) -> None:
    browser_login(page, make_user("provider_staff", offer.organization_id))
    page.goto(f"/calendars/services/{offer.service_id}/schedule")
    course = page.locator("form", has=page.locator("input[name=form][value=course]"))
    course.get_by_label("Montag").check()
    course.get_by_label("Beginnt um").fill("18:00")
    course.get_by_label("Endet um").fill("20:00")
    course.get_by_label("Erster Termin").fill("2027-01-11")
    course.get_by_role("button", name="Kurstermine speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("letzten Termin oder die Anzahl")
    assert_accessible(page)


def test_week_view_in_english_with_holiday_closure_and_feed_copy(
    page: Any, live_server: Any, offer: Any, make_user: Any, browser_login: Any
) -> None:
    run(
        store.add_rule(
            Rule(
                freq="WEEKLY",
                byday=parse_byday("MO,TU,WE,TH,FR", "WEEKLY"),
                opens_at=time(9),
                closes_at=time(12),
                service_id=offer.service_id,
            )
        )
    )
    run(
        store.add_exception(
            ScheduleExceptionValue(
                kind="closed",
                starts_on=date(2027, 12, 23),
                ends_on=date(2027, 12, 24),
                description="Closed between the years",
                service_id=offer.service_id,
            )
        )
    )
    browser_login(page, make_user("case_manager"))
    page.context.add_cookies([{"name": "lotse_lang", "value": "en", "url": live_server.url}])
    page.goto(f"/calendars/services/{offer.service_id}/week?start=2027-12-20")
    text = page.inner_text("main")
    assert "Opening hours and dates" in text
    assert "Public holiday: Christmas Day" in text
    assert "Closed between the years" in text
    assert_accessible(page)
    page.get_by_role("button", name="Copy address").first.click()
    expect(page.locator(".copy-status").first).to_have_text("Copied.")
    value = page.get_by_label("Calendar of this offer").input_value()
    assert value.endswith(f"/calendars/services/{offer.service_id}.ics")


def test_personal_feed_page_shows_the_address_once(
    page: Any, make_user: Any, browser_login: Any
) -> None:
    browser_login(page, make_user("case_manager"))
    page.goto("/calendars/my-feed")
    assert_accessible(page)
    page.get_by_role("button", name="Meine Kalenderadresse erstellen").click()
    field = page.get_by_label("Kalenderadresse (iCalendar)")
    assert "/calendars/feeds/" in field.input_value()
    assert_accessible(page)
    page.goto("/calendars/my-feed")
    assert page.get_by_label("Kalenderadresse (iCalendar)").count() == 0
    page.get_by_role("button", name="Adresse abschalten").click()
    expect(page.get_by_role("status").first).to_contain_text("abgeschaltet")
