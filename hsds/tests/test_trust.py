"""An HSDS file is untrusted input: foreign organisations, hostile values, broken records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import run
from directory.tables import Capacity, Organization, RequiredDocument, Service
from hsds.cli import hsds
from hsds.export import export_directory
from hsds.importer import ImportOptions, import_source
from hsds.sources import SourceError

PARTNER = ImportOptions(source_name="partner")
ORG = "5d0c7a1e-0000-4000-8000-000000000001"


def service(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"5d0c7a1e-0000-4000-8000-1000000000{number:02d}",
        "name": f"Angebot {number}",
        "status": "active",
        "organization_id": ORG,
        **fields,
    }


def write(path: Path, records: list[Any]) -> str:
    path.write_text(json.dumps([{"id": ORG, "name": "Neuer Träger", "description": ""}, *records]))
    return str(path)


def names() -> set[str]:
    return {row["name"] for row in run(Service.select(Service.name))}


def test_a_record_may_not_move_or_rename_another_organisations_offer(
    network: dict[str, Any], tmp_path: Path
) -> None:
    hostile = service(1, id=str(network["course"]), name="Gekapert")
    report = run(import_source(write(tmp_path / "records.json", [hostile]), PARTNER))
    assert report.counts[("service", "failed")] == 1
    assert any(
        str(network["course"]) in p.where and str(network["vhs"]) in p.message
        for p in report.errors
    ), report.errors
    course = run(Service.select().where(Service.id == network["course"]).first())
    assert course is not None
    assert course["name"] == "Integrationskurs B1" and course["organization"] == network["vhs"]


def test_a_nested_organisation_of_another_source_is_not_renamed(
    network: dict[str, Any], tmp_path: Path
) -> None:
    record = service(1, organization={"id": str(network["vhs"]), "name": "Fake", "description": ""})
    record.pop("organization_id")
    path = tmp_path / "records.json"
    path.write_text(json.dumps([record]))
    report = run(import_source(str(path), PARTNER))
    assert report.error_count == 1
    vhs = run(Organization.select(Organization.name).where(Organization.id == network["vhs"]))
    assert vhs == [{"name": "Volkshochschule"}]


def test_an_allowed_source_may_change_the_organisations_offers(
    network: dict[str, Any], tmp_path: Path
) -> None:
    record = {
        "id": str(network["course"]),
        "name": "Integrationskurs B2",
        "status": "active",
        "organization_id": str(network["vhs"]),
    }
    path = tmp_path / "records.json"
    path.write_text(json.dumps([record]))
    allowed = CliRunner().invoke(hsds, ["sources", "allow", "partner", str(network["vhs"])])
    assert allowed.exit_code == 0, allowed.output
    report = run(import_source(str(path), PARTNER))
    assert report.error_count == 0, report.errors
    assert "Integrationskurs B2" in names()


def test_organisations_an_import_creates_belong_to_its_source(db: None, tmp_path: Path) -> None:
    path = write(tmp_path / "records.json", [service(1)])
    assert run(import_source(path, PARTNER)).error_count == 0
    again = run(import_source(write(tmp_path / "records.json", [service(1, name="Neu")]), PARTNER))
    assert again.error_count == 0 and names() == {"Neu"}
    other = run(import_source(path, ImportOptions(source_name="someone else")))
    assert other.error_count == 2 and names() == {"Neu"}
    listed = CliRunner().invoke(hsds, ["sources", "list"])
    assert "partner" in listed.output and "someone else" in listed.output


def test_links_other_than_http_mailto_and_tel_are_left_out(db: None, tmp_path: Path) -> None:
    record = service(
        1,
        url="javascript:alert(1)",
        required_documents=[{"document": "Pass", "uri": "java\tscript:alert(1)"}],
    )
    org = {"id": ORG, "name": "Träger", "description": "", "website": "JaVaScRiPt:alert(1)"}
    path = tmp_path / "records.json"
    path.write_text(json.dumps([org, record, service(2, url="https://vhs.example/kurs")]))
    report = run(import_source(str(path)))
    assert report.error_count == 0, report.errors
    assert any("javascript" in w.message.lower() for w in report.warnings)
    urls = {row["name"]: row["url"] for row in run(Service.select(Service.name, Service.url))}
    assert urls == {"Angebot 1": None, "Angebot 2": "https://vhs.example/kurs"}
    assert run(Organization.select(Organization.website)) == [{"website": None}]
    assert run(RequiredDocument.select(RequiredDocument.uri)) == [{"uri": None}]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("capacities", [{"available": -5, "maximum": 10}]),
        ("capacities", [{"available": 1, "maximum": 10**30}]),
        ("capacities", [{"available": "NaN"}]),
        ("minimum_age", -1),
        ("maximum_age", "1e400"),
    ],
)
def test_numbers_out_of_range_are_record_errors(
    db: None, tmp_path: Path, field: str, value: Any
) -> None:
    path = write(tmp_path / "records.json", [service(1, **{field: value}), service(2)])
    report = run(import_source(path))
    assert report.error_count == 1
    assert "5d0c7a1e-0000-4000-8000-100000000001" in report.errors[0].where
    assert names() == {"Angebot 2"} and run(Capacity.count()) == 0


def test_a_60_mb_description_is_a_record_error(db: None, tmp_path: Path) -> None:
    path = write(tmp_path / "records.json", [service(1, description="x" * 60_000_000), service(2)])
    report = run(import_source(path))
    assert report.error_count == 1 and "at most 20,000" in report.errors[0].message
    assert names() == {"Angebot 2"}


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_json_nested_10000_deep_is_a_record_error(db: None, tmp_path: Path) -> None:
    head = json.dumps({"id": ORG, "name": "Neuer Träger", "description": ""})
    body = ", ".join([head, json.dumps(service(1)), deep(10_000), json.dumps(service(2))])
    path = tmp_path / "records.json"
    path.write_text(f"[{body}]")
    report = run(import_source(str(path), PARTNER))
    assert report.error_count == 1 and "nested" in report.errors[0].message
    assert names() == {"Angebot 1", "Angebot 2"}
    lines = tmp_path / "records.ndjson"
    hostile = json.dumps(service(3)).replace('"status"', f'"x": {deep(10_000)}, "status"')
    lines.write_text("\n".join([head, hostile, json.dumps(service(4))]))
    report = run(import_source(str(lines), PARTNER))
    assert report.error_count == 1 and "100000000003" in report.errors[0].message
    assert "Angebot 4" in names()
    whole = tmp_path / "one.json"
    whole.write_text('{"a": ' + deep(10_000) + "}")
    with pytest.raises(SourceError, match="nested too deeply"):
        run(import_source(str(whole)))


def test_invalid_utf8_is_a_record_error(db: None, tmp_path: Path) -> None:
    head = json.dumps({"id": ORG, "name": "Neuer Träger", "description": ""}).encode()
    bad = json.dumps(service(1, description="MARK")).encode().replace(b"MARK", b"caf\xe9 \xff")
    good = json.dumps(service(2)).encode()
    for name, data in (
        ("records.json", b"[" + b", ".join([head, bad, good]) + b"]"),
        ("records.ndjson", b"\n".join([head, bad, good])),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        report = run(import_source(str(path), PARTNER))
        assert report.error_count == 1, name
        assert "not UTF-8" in report.errors[0].message
        assert "100000000001" in report.errors[0].message
        assert names() == {"Angebot 2"}


def test_cli_import_names_failed_records_by_id_and_exits_non_zero(
    db: None, tmp_path: Path
) -> None:
    path = write(tmp_path / "records.json", [service(1, status="offen"), service(2)])
    result = CliRunner().invoke(hsds, ["import", path])
    assert result.exit_code == 1, result.output
    assert "5d0c7a1e-0000-4000-8000-100000000001" in result.output.replace("\n", "")
    assert "1 records failed" in result.output


def test_a_failed_record_does_not_hold_back_what_the_others_tell_search(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from domains import install
    from outbox.tables import OutboxEvent
    from settings import get_settings

    install()
    path = write(tmp_path / "records.json", [service(1, status="offen"), service(2)])
    monkeypatch.setenv("LOTSE_RUN_DISPATCHER", "true")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(hsds, ["import", path])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert run(OutboxEvent.count()) > 0
    assert run(OutboxEvent.count().where(OutboxEvent.delivered_at.is_null())) == 0


def test_hsds_output_carries_no_staff_email(network: dict[str, Any], tmp_path: Path) -> None:
    run(export_directory(tmp_path / "out"))
    text = "".join(p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert "a.demir@caritas.example" not in text and "qs@caritas.example" not in text
    assert "mbe@caritas.example" in text and "info@caritas.example" in text



def test_a_network_admin_sets_the_organisations_of_a_source_through_the_api(
    network: dict[str, Any], api_client: Any, make_user: Any
) -> None:
    body = {"name": "partner", "organizations": [str(network["vhs"])]}
    staff = api_client(make_user("provider_staff", network["vhs"]))
    assert staff.put("/api/hsds/sources", json=body).status_code == 403
    client = api_client(make_user("network_admin"))
    answer = client.put("/api/hsds/sources", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["organizations"] == [str(network["vhs"])]
    unknown = client.put("/api/hsds/sources", json={"name": "partner", "organizations": [ORG]})
    assert unknown.status_code == 400 and ORG in unknown.json()["detail"]
    listed = client.get("/api/hsds/sources").json()
    assert [(s["name"], s["organizations"]) for s in listed] == [("partner", [str(network["vhs"])])]


def test_revoking_an_organisation_stops_the_source_changing_it(
    network: dict[str, Any], tmp_path: Path
) -> None:
    runner = CliRunner()
    unknown = runner.invoke(hsds, ["sources", "allow", "partner", ORG])
    assert unknown.exit_code != 0 and "No organisation" in unknown.output
    vhs = str(network["vhs"])
    assert runner.invoke(hsds, ["sources", "allow", "partner", vhs]).exit_code == 0
    revoked = runner.invoke(hsds, ["sources", "revoke", "partner", vhs])
    assert revoked.exit_code == 0 and "1 organisations taken" in revoked.output
    record = {"id": vhs, "name": "Umbenannt", "description": ""}
    path = tmp_path / "organizations.json"
    path.write_text(json.dumps([record]))
    assert run(import_source(str(path), PARTNER)).error_count == 1
    assert run(Organization.count().where(Organization.name == "Umbenannt")) == 0
