"""The calendars JSON API with API tokens: schedules, exceptions, import, openings, labels."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from calendars.tables import Schedule
from conftest import run

DATA = Path(__file__).parent / "data"


def test_create_patch_list_and_delete_a_schedule(
    offer: Any, make_user: Any, api_client: Any
) -> None:
    staff = api_client(make_user("provider_staff", offer.organization_id))
    base = f"/api/calendars/services/{offer.service_id}"
    created = staff.post(
        f"{base}/schedules",
        json={
            "freq": "WEEKLY",
            "byday": "TU",
            "interval": 2,
            "dtstart": "2027-01-05",
            "opens_at": "14:00",
            "closes_at": "16:00",
            "appointment_only": True,
        },
    )
    assert created.status_code == 201, created.text
    schedule = created.json()
    assert schedule["byday"] == "TU" and schedule["interval"] == 2
    patched = staff.patch(f"/api/calendars/schedules/{schedule['id']}", json={"closes_at": "17:00"})
    assert patched.status_code == 200
    assert patched.json()["closes_at"] == "17:00" and patched.json()["sequence"] == 1
    listing = staff.get(f"{base}/schedules").json()
    assert [s["id"] for s in listing["schedules"]] == [schedule["id"]]
    assert listing["hsds"][0]["freq"] == "WEEKLY"
    assert staff.delete(f"/api/calendars/schedules/{schedule['id']}").status_code == 204
    assert run(Schedule.count()) == 0


def test_invalid_input_is_a_400_with_a_reason(offer: Any, make_user: Any, api_client: Any) -> None:
    staff = api_client(make_user("provider_staff", offer.organization_id))
    base = f"/api/calendars/services/{offer.service_id}"
    for body, reason in (
        ({"byday": "XX", "opens_at": "09:00", "closes_at": "10:00"}, "weekday"),
        ({"byday": "MO", "opens_at": "9 Uhr", "closes_at": "10:00"}, "HH:MM"),
        ({"byday": "MO", "opens_at": "11:00", "closes_at": "10:00"}, "closing time"),
        ({"byday": "MO", "colour": "red"}, "colour"),
    ):
        response = staff.post(f"{base}/schedules", json=body, headers={"Accept-Language": "en"})
        assert response.status_code == 400, body
        assert reason in response.text
    assert run(Schedule.count()) == 0


def test_other_organisations_cannot_change_the_schedule(
    offer: Any, make_user: Any, api_client: Any
) -> None:
    stranger = api_client(make_user("provider_staff"))
    response = stranger.post(
        f"/api/calendars/services/{offer.service_id}/schedules",
        json={"byday": "MO", "opens_at": "09:00", "closes_at": "10:00"},
    )
    assert response.status_code == 403
    viewer = api_client(make_user("viewer"))
    assert viewer.get(f"/api/calendars/services/{offer.service_id}/schedules").status_code == 200


def test_import_by_api_and_openings_and_labels(offer: Any, make_user: Any, api_client: Any) -> None:
    staff = api_client(make_user("provider_staff", offer.organization_id))
    base = f"/api/calendars/services/{offer.service_id}"
    body = (DATA / "google.ics").read_bytes()
    report = staff.post(f"{base}/import", content=body, headers={"Content-Type": "text/calendar"})
    assert report.status_code == 200, report.text
    assert report.json()["created"] > 0
    again = staff.post(f"{base}/import", content=body, headers={"Content-Type": "text/calendar"})
    assert again.json()["created"] == 0
    broken = staff.post(
        f"{base}/import",
        content=b"garbage",
        headers={"Content-Type": "text/calendar", "Accept-Language": "en"},
    )
    assert broken.status_code == 400 and "not a valid iCalendar" in broken.text
    openings = staff.get(f"{base}/openings", params={"start": "2027-07-05", "days": 7}).json()
    assert any(o["start"].startswith("2027-07-07T18:00") for o in openings)
    assert staff.get(f"{base}/openings", params={"days": 500}).status_code == 400
    labels = staff.get("/api/calendars/labels", params={"service_id": str(offer.service_id)})
    assert labels.status_code == 200
    (label,) = labels.json()
    assert label["state"] in ("open", "closed")


def test_slots_by_api(offer: Any, make_user: Any, api_client: Any) -> None:
    staff = api_client(make_user("provider_staff", offer.organization_id))
    base = f"/api/calendars/services/{offer.service_id}"
    day = (date.today() + timedelta(days=4)).isoformat()
    created = staff.post(
        f"{base}/slots", json={"day": day, "first": "09:00", "last": "10:30", "minutes": 30}
    )
    assert created.status_code == 201
    assert len(created.json()) == 3
    viewer = api_client(make_user("case_manager"))
    free = viewer.get(f"{base}/slots").json()
    assert len(free) == 3
    assert viewer.delete(f"/api/calendars/slots/{free[0]['id']}").status_code == 403
    assert staff.delete(f"/api/calendars/slots/{free[0]['id']}").status_code == 204


def test_every_calendars_operation_is_in_the_openapi_document(client: Any) -> None:
    document = client.get("/schema/openapi.json")
    assert document.status_code == 200
    operations = [
        operation
        for path, item in document.json()["paths"].items()
        if "/calendars/" in path
        for operation in item.values()
    ]
    assert len(operations) >= 20
    assert all(operation.get("operationId") for operation in operations)
