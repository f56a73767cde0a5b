"""The CSV export is a Frictionless Tabular Data Package, as the HSDS tabular serialization
says: checked by the frictionless validator and against the official HSDS 3.1 schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import run
from hsds.datapackage import descriptor
from hsds.export import export_directory
from hsds.tabular import TABLES

frictionless = pytest.importorskip("frictionless")

FORMATS = {"uuid", "email", "uri"}


def _errors(report: Any) -> list[str]:
    return [f"{task.name}.{getattr(error, 'field_name', '')}: {error.type}: {error.note}"
            for task in report.tasks for error in task.errors]


def test_the_csv_export_is_a_valid_tabular_data_package(
    network: dict[str, Any], tmp_path: Path
) -> None:
    run(export_directory(tmp_path))
    package = tmp_path / "csv" / "datapackage.json"
    assert package.is_file()
    report = frictionless.validate(str(package))
    assert report.valid, _errors(report)
    written = {resource["path"] for resource in json.loads(package.read_text())["resources"]}
    assert written == {path.name for path in (tmp_path / "csv").glob("*.csv")}


def test_a_broken_reference_is_found_by_the_validator(
    network: dict[str, Any], tmp_path: Path
) -> None:
    """The descriptor's foreign keys are real: a service naming no organisation is caught."""
    run(export_directory(tmp_path))
    services = tmp_path / "csv" / "services.csv"
    lines = services.read_text(encoding="utf-8").splitlines()
    first = lines[1].split(",")
    first[1] = "00000000-0000-4000-8000-000000000000"
    services.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n")
    report = frictionless.validate(str(tmp_path / "csv" / "datapackage.json"))
    assert not report.valid
    assert any("foreign" in message.lower() for message in _errors(report))


def test_fields_follow_the_official_hsds_schemas(hsds_schemas: Path) -> None:
    for resource in descriptor()["resources"]:
        spec = json.loads((hsds_schemas / f"{resource['name']}.json").read_text())
        assert resource["path"] == spec["path"]
        fields = {field["name"]: field for field in resource["schema"]["fields"]}
        assert list(fields) == list(TABLES[resource["name"]][1])
        for name, field in fields.items():
            prop = spec["properties"][name]
            wanted = {"number": "number"}.get(prop["type"], "string")
            if prop.get("format") == "date-time":
                wanted = "datetime"
            assert field["type"] == wanted, (resource["name"], name)
            if prop.get("format") in FORMATS:
                assert field["format"] == prop["format"], (resource["name"], name)
            constraints = field.get("constraints", {})
            assert constraints.get("enum") == prop.get("enum"), (resource["name"], name)
            # An empty description is an empty cell in CSV: required in JSON only (documented).
            required = name in spec.get("required", []) and name != "description"
            assert constraints.get("required", False) == required, (resource["name"], name)
