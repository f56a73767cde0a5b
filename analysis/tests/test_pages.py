"""The page, the downloads and the JSON API: who sees what, the same suppression everywhere,
and nothing about a person in any of them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from analysis.tests.support import PSEUDONYM, SECRET_TEXT, Net

YEAR = "period=custom&first=2026-01&last=2026-03"


@pytest.fixture
def admin(net: Net, make_user: Any) -> Any:
    return make_user("network_admin", net.admin_org)


def _logged_in(client: Any, login: Any, user: Any) -> Any:
    login(client, user)
    return client


def _cells(report: dict[str, Any], figure: str, table: str, row: str) -> dict[str, Any]:
    found = next(f for f in report["figures"] if f["key"] == figure)
    shown = next(t for t in found["tables"] if t["key"] == table)
    rows = [*shown["rows"], *([shown["total"]] if shown.get("total") else [])]
    cells = next(r for r in rows if r["key"] == row)["cells"]
    return dict(zip(shown["column_keys"], cells, strict=True))


def test_the_network_admin_sees_every_figure_with_charts_and_tables(
        client: Any, login: Any, admin: Any) -> None:
    page = _logged_in(client, login, admin).get(f"/analysis?{YEAR}")
    assert page.status_code == 200
    text = page.text
    for title in ("Ungedeckter Bedarf", "Antworten", "Ergebnisse", "Kapazität im Zeitverlauf",
                  "Sprachen", "Abdeckung", "Ketten"):
        assert title in text
    assert text.count("<svg") >= 5
    assert "<caption>" in text


def test_a_committee_member_reads_the_network_figures(client: Any, login: Any, net: Net,
                                                      make_user: Any) -> None:
    member = make_user("committee", net.admin_org)
    response = _logged_in(client, login, member).get("/api/analysis?period=month&year=2026"
                                                     "&number=2")
    assert response.status_code == 200
    assert response.json()["view"] == "network"


def test_other_members_may_not_see_the_analysis(client: Any, login: Any, net: Net,
                                               make_user: Any) -> None:
    viewer = make_user("viewer", net.admin_org)
    assert _logged_in(client, login, viewer).get("/analysis").status_code == 403


def test_a_case_manager_sees_only_the_outcomes_of_their_own_referrals(
        client: Any, login: Any, net: Net, make_user: Any) -> None:
    manager = make_user("case_manager", net.sender)
    _logged_in(client, login, manager)
    own = client.get(f"/api/analysis?view=own&{YEAR}").json()
    assert [f["key"] for f in own["figures"]] == ["outcomes"]
    assert client.get(f"/api/analysis?view=network&{YEAR}").status_code == 403


def test_a_provider_sees_its_own_figures_beside_the_networks(
        client: Any, login: Any, net: Net, make_user: Any) -> None:
    staff = make_user("provider_staff", net.other_provider)
    _logged_in(client, login, staff)
    own = client.get("/api/analysis/outcomes?view=own&period=month&year=2026&number=2").json()
    # Beratung Styrum received only the five counselling referrals of February.
    assert _cells(own, "outcomes", "funnel", "counselling")["waitlisted"]["text"] == "5"
    assert _cells(own, "outcomes", "funnel", "language_course")["sent"]["text"] == "0"
    page = client.get("/analysis?period=month&year=2026&number=2").text
    assert "Ihre Organisation" in page and "Das Netzwerk" in page


def test_the_api_gives_small_counts_as_fewer_than_five_without_a_value(
        client: Any, login: Any, admin: Any) -> None:
    report = _logged_in(client, login, admin).get(f"/api/analysis/demand?{YEAR}").json()
    expired = _cells(report, "demand", "expired", "language_course")["Altstadt"]
    assert expired == {"text": "< 5", "value": None}
    declined = _cells(report, "demand", "declined_no_place", "language_course")["Altstadt"]
    assert declined == {"text": "5", "value": 5.0}


def test_subtracting_two_overlapping_reports_does_not_reveal_a_small_month(
        client: Any, login: Any, admin: Any) -> None:
    _logged_in(client, login, admin)
    two = client.get("/api/analysis/outcomes?period=custom&first=2026-01&last=2026-02").json()
    three = client.get(f"/api/analysis/outcomes?{YEAR}").json()
    # January and February: 13 language-course referrals; March added 3 more.
    assert _cells(two, "outcomes", "funnel", "language_course")["sent"]["value"] == 13
    wider = _cells(three, "outcomes", "funnel", "language_course")["sent"]
    assert wider["value"] is None
    # Whatever both reports show, no shown difference is a count of 1 to 4.
    for table_two, table_three in zip(two["figures"][0]["tables"],
                                      three["figures"][0]["tables"], strict=True):
        rows_two = {r["key"]: r for r in table_two["rows"]}
        for row in table_three["rows"]:
            for a, b in zip(row["cells"], rows_two[row["key"]]["cells"], strict=True):
                if a["value"] is not None and b["value"] is not None:
                    assert not 0 < a["value"] - b["value"] < 5


def test_a_wrong_period_is_refused_with_a_message(client: Any, login: Any,
                                                   admin: Any) -> None:
    _logged_in(client, login, admin)
    response = client.get("/api/analysis?period=custom&first=2026-05&last=2026-01")
    assert response.status_code == 400
    assert "endet vor seinem Beginn" in response.text
    page = client.get("/analysis?period=quarter&number=7")
    assert page.status_code == 400
    assert "Quartal" in page.text
    assert client.get("/api/analysis/nothing").status_code == 404


def test_exports_hold_the_protected_tables_and_nothing_about_a_person(
        client: Any, login: Any, admin: Any) -> None:
    _logged_in(client, login, admin)
    csv = client.get(f"/analysis/table.csv?{YEAR}&view=network&table=expired")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "< 5" in csv.text
    xlsx = client.get(f"/analysis/tables.xlsx?{YEAR}")
    book = load_workbook(io.BytesIO(xlsx.content))
    values = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows()
              for c in row if c.value is not None]
    assert "< 5" in values
    pdf = client.get(f"/analysis/report.pdf?{YEAR}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    api = client.get(f"/api/analysis?{YEAR}").text
    page = client.get(f"/analysis?{YEAR}").text
    for body in (csv.text, " ".join(values), api, page):
        assert SECRET_TEXT not in body and PSEUDONYM not in body
