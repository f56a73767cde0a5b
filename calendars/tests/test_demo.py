"""Demo schedules: every offer gets hours or course dates, deterministically, once."""

from __future__ import annotations

from datetime import date
from typing import Any

from calendars import api
from calendars.demo import load_demo_schedules
from calendars.tables import AppointmentSlot, Schedule
from conftest import run

TODAY = date(2027, 1, 13)


def test_every_offer_gets_a_schedule_and_a_second_run_changes_nothing(
    make_org: Any, make_service: Any
) -> None:
    org = make_org("Demo-Träger")
    names = (
        ["Integrationskurs", "Deutschkurs am Abend", "Alphabetisierungskurs"] * 8
        + ["Migrationsberatung", "Schuldnerberatung", "Sozialberatung"] * 8
        + ["Sprachcafé", "Elterntreff", "Offene Tür"] * 8
    )
    ids = [make_service(org, name=f"{name} {n}") for n, name in enumerate(names)]
    summary = run(load_demo_schedules(TODAY))
    assert summary.offers == len(ids)
    owners = {row["service"] for row in run(Schedule.select(Schedule.service))}
    assert owners == set(ids)
    rows = run(Schedule.select())
    assert any(r["interval"] == 2 for r in rows), "some offers meet every other week"
    assert any(r["freq"] == "MONTHLY" and r["byday"] == "1SA" for r in rows)
    courses = [r for r in rows if r["kind"] == "course"]
    assert courses and all(r["until"] or r["repeat_count"] for r in courses)
    starts = run(api.next_course_starts(ids, TODAY))
    course_ids = [sid for sid, name in zip(ids, names, strict=True) if "kurs" in name]
    for sid in course_ids:
        start = starts[sid]
        assert start is not None and start > TODAY
    assert run(AppointmentSlot.count()) > 0
    again = run(load_demo_schedules(TODAY))
    assert again.offers == 0 and again.skipped == len(ids)
    assert run(Schedule.count()) == len(rows)


def test_demo_is_deterministic(make_org: Any, make_service: Any) -> None:
    org = make_org("Demo-Träger")
    sid = make_service(org, name="Migrationsberatung")
    run(load_demo_schedules(TODAY))
    first = sorted((r["id"], r["byday"], r["opens_at"]) for r in run(Schedule.select()))
    run(Schedule.delete(force=True))
    run(AppointmentSlot.delete(force=True))
    run(load_demo_schedules(TODAY))
    assert sorted((r["id"], r["byday"], r["opens_at"]) for r in run(Schedule.select())) == first
    assert run(api.opening_labels([sid]))[sid].state in ("open", "closed")
