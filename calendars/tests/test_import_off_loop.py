"""A calendar import is read in a worker thread within its bounds: other requests are answered
while it is parsed, and a file over the size bound is refused before it is read."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from calendars import import_runner
from calendars.ics_import import ImportResult, import_calendar
from calendars.tables import Schedule
from conftest import run

DATA = Path(__file__).parent / "data"


def test_other_requests_are_answered_while_a_calendar_is_parsed(
    offer: Any, make_user: Any, api_client: Any, monkeypatch: Any
) -> None:
    staff = api_client(make_user("provider_staff", offer.organization_id))
    events: list[str] = []
    parsing, answered = threading.Event(), threading.Event()

    def slow_import(*args: Any, **kwargs: Any) -> ImportResult:
        # Holds the parse until /api/me was answered; on the event loop it would hold that too.
        events.append("import started")
        parsing.set()
        answered.wait(timeout=60)
        events.append("import parsed")
        return import_calendar(*args, **kwargs)

    monkeypatch.setattr(import_runner, "import_calendar", slow_import)
    outcome: dict[str, int] = {}

    def upload() -> None:
        response = staff.post(
            f"/api/calendars/services/{offer.service_id}/import",
            content=(DATA / "google.ics").read_bytes(),
            headers={"Content-Type": "text/calendar"},
        )
        outcome["status"] = response.status_code

    uploader = threading.Thread(target=upload)
    uploader.start()
    assert parsing.wait(timeout=60)
    me = staff.get("/api/me")
    events.append(f"me answered {me.status_code}")
    answered.set()
    uploader.join(timeout=60)
    assert events == ["import started", "me answered 200", "import parsed"]
    assert outcome == {"status": 200}
    assert run(Schedule.count()) > 0


def test_an_upload_over_the_size_bound_is_refused_with_413_and_stores_nothing(
    offer: Any, make_user: Any, api_client: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("LOTSE_ICS_MAX_BYTES", "1000")
    from settings import get_settings

    get_settings.cache_clear()
    try:
        staff = api_client(make_user("provider_staff", offer.organization_id))
        response = staff.post(
            f"/api/calendars/services/{offer.service_id}/import",
            content=(DATA / "google.ics").read_bytes(),
            headers={"Content-Type": "text/calendar", "Accept-Language": "de"},
        )
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert response.status_code == 413
    assert "größer als 1 KB" in response.json()["detail"]
    assert run(Schedule.count()) == 0


def test_the_import_bounds_are_read_from_the_settings(tmp_path: Path) -> None:
    from settings import load_settings

    settings = load_settings(
        {
            "LOTSE_DATA_DIR": str(tmp_path),
            "LOTSE_SECRET_KEY": "x" * 40,
            "LOTSE_ICS_MAX_BYTES": "500000",
            "LOTSE_ICS_MAX_COMPONENTS": "300",
            "LOTSE_ICS_MAX_OCCURRENCES": "400",
            "LOTSE_ICS_HORIZON_YEARS": "3",
        }
    )
    assert (
        settings.ics_max_bytes,
        settings.ics_max_components,
        settings.ics_max_occurrences,
        settings.ics_horizon_years,
    ) == (500000, 300, 400, 3)
