"""`lotse hsds export`: every record validates, CSV tables follow the spec, output is stable."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from conftest import run
from directory.tables import Service
from hsds import extensions as ext
from hsds import schema
from hsds.export import FILES, export_directory
from hsds.tabular import TABLES
from hsds.tests.conftest import read_array
from hsds.tests.sample import sid

KINDS = {
    "services.json": "service",
    "organizations.json": "organization",
    "taxonomies.json": "taxonomy",
    "taxonomy_terms.json": "taxonomy_term",
}


def test_every_exported_record_validates(
    network: dict[str, Any], hsds_schemas: Path, tmp_path: Path
) -> None:
    run(export_directory(tmp_path))
    for name in FILES:
        records = read_array(tmp_path / name)
        assert records, name
        for record in records:
            assert schema.record_errors(KINDS[name], record) == [], (name, record["id"])


def test_full_service_record_carries_all_related_data(
    network: dict[str, Any], tmp_path: Path
) -> None:
    run(export_directory(tmp_path))
    advice = next(
        s for s in read_array(tmp_path / "services.json") if s["id"] == str(network["advice"])
    )
    assert advice["organization"]["name"] == "Caritasverband Mülheim"
    assert {lang["code"] for lang in advice["languages"]} == {"ar", "de"}
    assert advice["capacities"][0]["unit"]["name"] == "Termine pro Woche"
    assert advice["contacts"][0]["phones"][0]["number"] == "0208 30008-14"
    location = advice["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "45476"
    assert any(a.get("value") == "Styrum" for a in location["attributes"])
    assert advice["schedules"] and location["schedules"]
    terms = [a["taxonomy_term"]["code"] for a in advice["attributes"] if "taxonomy_term" in a]
    assert "zielgruppe.frauen" in terms
    assert advice["lotse_translations"][0]["language"] == "en"


def test_two_exports_of_the_same_data_are_byte_identical(
    network: dict[str, Any], tmp_path: Path
) -> None:
    run(export_directory(tmp_path / "a"))
    run(export_directory(tmp_path / "b"))
    for path in (tmp_path / "a").rglob("*"):
        if path.is_file():
            assert (
                path.read_bytes()
                == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
            ), path.name


def test_csv_tables_have_the_columns_the_spec_defines(
    network: dict[str, Any], hsds_schemas: Path, tmp_path: Path
) -> None:
    run(export_directory(tmp_path))
    for kind, (name, columns) in TABLES.items():
        spec = json.loads((hsds_schemas / f"{kind}.json").read_text())
        assert spec["path"] == name
        plain = [
            key
            for key, prop in spec["properties"].items()
            if prop.get("type") not in ("array", None)
        ]
        assert list(columns) == plain, kind
        with (tmp_path / "csv" / name).open(encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == list(columns)


def test_csv_rows_reference_their_parents(network: dict[str, Any], tmp_path: Path) -> None:
    run(export_directory(tmp_path))
    with (tmp_path / "csv" / "phones.csv").open(encoding="utf-8") as handle:
        phones = {row["id"]: row for row in csv.DictReader(handle)}
    assert phones[str(sid("ph:loc"))]["location_id"] == str(network["office"])
    with (tmp_path / "csv" / "locations.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 3  # each location once
    with (tmp_path / "csv" / "taxonomy_terms.csv").open(encoding="utf-8") as handle:
        codes = {row["code"] for row in csv.DictReader(handle)}
    assert set(ext.FIELDS) <= codes


def test_retired_offers_are_not_exported(network: dict[str, Any], tmp_path: Path) -> None:
    from datetime import UTC, datetime

    run(
        Service.update({Service.retired_at: datetime.now(UTC)}).where(Service.id == network["cafe"])
    )
    run(export_directory(tmp_path))
    ids = {s["id"] for s in read_array(tmp_path / "services.json")}
    assert str(network["cafe"]) not in ids and str(network["advice"]) in ids
