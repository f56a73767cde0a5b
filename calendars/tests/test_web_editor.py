"""The schedule editor and week view: who may edit, forms that save or explain, imports."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from calendars.tables import AppointmentSlot, Schedule, ScheduleException
from conftest import run

DATA = Path(__file__).parent / "data"


def editor(offer: Any) -> str:
    return f"/calendars/services/{offer.service_id}/schedule"


def test_only_staff_of_the_providing_organisation_may_edit(
    client: Any, offer: Any, make_user: Any, login: Any
) -> None:
    assert client.get(editor(offer), follow_redirects=False).status_code in (302, 303, 401)
    stranger = make_user("provider_staff")
    login(client, stranger)
    assert client.get(editor(offer)).status_code == 403
    response = client.post(f"{editor(offer)}/rules", data={"form": "weekly"})
    assert response.status_code == 403
    assert run(Schedule.count()) == 0


def test_case_managers_read_the_week_but_cannot_edit(
    client: Any, offer: Any, make_user: Any, login: Any
) -> None:
    login(client, make_user("case_manager"))
    assert client.get(f"/calendars/services/{offer.service_id}/week").status_code == 200
    assert client.get(editor(offer)).status_code == 403


def test_weekly_hours_are_saved_and_shown_in_the_week(
    client: Any, offer: Any, make_user: Any, login: Any
) -> None:
    login(client, make_user("provider_staff", offer.organization_id))
    assert client.get(editor(offer)).status_code == 200
    response = client.post(
        f"{editor(offer)}/rules",
        data={
            "form": "weekly",
            "byday": ["MO", "WE"],
            "opens_at": "09:00",
            "closes_at": "12:30",
            "interval": "1",
            "notes": "Bitte Pass mitbringen",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    (row,) = run(Schedule.select())
    assert (row["byday"], row["kind"], row["notes"]) == ("MO,WE", "hours", "Bitte Pass mitbringen")
    monday = date.today() - timedelta(days=date.today().weekday()) + timedelta(days=14)
    week = client.get(f"/calendars/services/{offer.service_id}/week?start={monday}")
    assert "09:00–12:30" in week.text
    assert "Mo, Mi 09:00–12:30" in client.get(editor(offer)).text


def test_an_invalid_form_explains_in_german_and_saves_nothing(
    client: Any, offer: Any, make_user: Any, login: Any
) -> None:
    login(client, make_user("provider_staff", offer.organization_id))
    response = client.post(
        f"{editor(offer)}/rules",
        data={"form": "weekly", "byday": ["MO"], "opens_at": "12:00", "closes_at": "09:00"},
    )
    assert response.status_code == 400
    assert "Die Schließzeit muss nach der Öffnungszeit liegen" in response.text
    every_other = client.post(
        f"{editor(offer)}/rules",
        data={
            "form": "weekly",
            "byday": ["MO"],
            "opens_at": "09:00",
            "closes_at": "12:00",
            "interval": "2",
        },
    )
    assert every_other.status_code == 400
    assert run(Schedule.count()) == 0


def test_course_monthly_single_closure_and_extra_date(
    client: Any, offer: Any, make_user: Any, login: Any
) -> None:
    login(client, make_user("provider_staff", offer.organization_id))
    forms = [
        {
            "form": "course",
            "byday": ["TU", "TH"],
            "opens_at": "18:00",
            "closes_at": "20:15",
            "dtstart": "2027-01-12",
            "until": "2027-03-25",
        },
        {
            "form": "monthly",
            "ordinal": "1",
            "weekday": "SA",
            "opens_at": "10:00",
            "closes_at": "13:00",
        },
        {"form": "single", "dtstart": "2027-05-22", "opens_at": "", "closes_at": ""},
    ]
    for data in forms:
        assert (
            client.post(f"{editor(offer)}/rules", data=data, follow_redirects=False).status_code
            == 303
        )
    for data in (
        {
            "kind": "closed",
            "starts_on": "2027-07-19",
            "ends_on": "2027-08-06",
            "description": "Sommerpause",
        },
        {"kind": "extra", "starts_on": "2027-12-18", "opens_at": "10:00", "closes_at": "16:00"},
    ):
        assert (
            client.post(
                f"{editor(offer)}/exceptions", data=data, follow_redirects=False
            ).status_code
            == 303
        )
    kinds = sorted(row["kind"] for row in run(Schedule.select(Schedule.kind)))
    assert kinds == ["course", "hours", "single"]
    assert run(ScheduleException.count()) == 2
    page = client.get(editor(offer)).text
    assert "jeden ersten Samstag im Monat" in page
    assert (
        "Sommerpause"
        in client.get(f"/calendars/services/{offer.service_id}/week?start=2027-07-26").text
    )


def test_deleting_an_entry(client: Any, offer: Any, make_user: Any, login: Any) -> None:
    login(client, make_user("provider_staff", offer.organization_id))
    client.post(f"{editor(offer)}/rules", data={"form": "single", "dtstart": "2027-05-22"})
    (row,) = run(Schedule.select(Schedule.id))
    response = client.post(f"{editor(offer)}/rules/{row['id']}/delete", follow_redirects=False)
    assert response.status_code == 303
    assert run(Schedule.count()) == 0


def test_import_upload_twice_keeps_one_copy(
    client: Any, offer: Any, make_user: Any, login: Any
) -> None:
    login(client, make_user("provider_staff", offer.organization_id))
    files = {"file": ("kalender.ics", (DATA / "outlook.ics").read_bytes(), "text/calendar")}
    first = client.post(
        f"{editor(offer)}/import", files=files, data={"kind": "hours"}, follow_redirects=False
    )
    # The calendar has rules Lotse closes on holidays: the page says so instead of redirecting.
    assert first.status_code == 200
    assert 'id="import-notes"' in first.text
    rows = run(Schedule.count())
    assert rows > 0
    again = client.post(
        f"{editor(offer)}/import", files=files, data={"kind": "hours"}, follow_redirects=False
    )
    assert ": 0 " in again.text.split('role="status"')[1][:300]
    assert run(Schedule.count()) == rows
    broken = client.post(
        f"{editor(offer)}/import",
        files={"file": ("x.ics", b"BEGIN:VCALENDAR\r\nnonsense", "text/calendar")},
        data={"kind": "hours"},
    )
    assert broken.status_code == 400
    assert "keine gültige iCalendar-Datei" in broken.text
    assert run(Schedule.count()) == rows


def test_slots_are_published_and_free_ones_removed(
    client: Any, offer: Any, make_user: Any, login: Any
) -> None:
    login(client, make_user("provider_staff", offer.organization_id))
    day = (date.today() + timedelta(days=5)).isoformat()
    response = client.post(
        f"{editor(offer)}/slots",
        data={
            "day": day,
            "first": "10:00",
            "last": "12:00",
            "minutes": "30",
            "location_id": str(offer.location_id),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert run(AppointmentSlot.count()) == 4
    (slot,) = run(AppointmentSlot.select(AppointmentSlot.id).limit(1))
    client.post(f"{editor(offer)}/slots/{slot['id']}/delete")
    assert run(AppointmentSlot.count()) == 3
    past = client.post(
        f"{editor(offer)}/slots",
        data={"day": "2020-01-01", "first": "10:00", "last": "12:00", "minutes": "30"},
    )
    assert past.status_code == 400


def test_label_fragment_and_public_directory_setting(
    client: Any, offer: Any, make_user: Any, login: Any
) -> None:
    url = f"/calendars/services/{offer.service_id}/label"
    assert client.get(url, follow_redirects=False).status_code in (302, 303, 401)
    login(client, make_user("viewer"))
    fragment = client.get(url)
    assert fragment.status_code == 200
    assert 'data-opening="unknown"' in fragment.text
