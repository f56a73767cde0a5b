"""HSDS records -> rows (pure): what is kept, what is left alone, and what is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hsds.bundle import RecordError, detect_kind
from hsds.reader import read_record


def load(examples: Path, name: str) -> dict:
    return json.loads((examples / name).read_text())


def test_full_example_service_becomes_rows_with_warnings(examples: Path) -> None:
    bundle = read_record(load(examples, "service_full.json"))
    tables = {u.table for u in bundle.upserts}
    assert {"organization", "location", "service"} <= tables
    children = {c.table for c in bundle.children}
    assert {
        "phone",
        "contact",
        "language",
        "cost_option",
        "capacity",
        "service_at_location",
    } <= children
    capacity = next(c for c in bundle.children if c.table == "capacity").rows[0]
    # The example's capacity has more available than its maximum.
    assert capacity["maximum"] == capacity["available"] == 12
    assert any("exceeds maximum" in w for w in bundle.warnings)
    assert any("latitude 100" in w for w in bundle.warnings)


def test_cost_currency_is_upper_case_and_phone_quotes_go(examples: Path) -> None:
    bundle = read_record(load(examples, "service_full.json"))
    cost = next(c for c in bundle.children if c.table == "cost_option").rows[0]
    phone = next(c for c in bundle.children if c.table == "phone").rows[0]
    assert cost["currency"] == "GBP"
    assert phone["number"] == "+44 1234 234567"
    assert phone["extension"] == "100"


def test_list_item_replaces_no_child_collection(examples: Path) -> None:
    item = load(examples, "service_list.json")["contents"][0]
    bundle = read_record(item, "service")
    assert bundle.children == []
    assert bundle.term_sets == {}


def test_services_nested_in_an_organization_belong_to_it(examples: Path) -> None:
    bundle = read_record(load(examples, "organization_full.json"))
    org_id = bundle.record_id
    services = [u.row for u in bundle.upserts if u.table == "service"]
    assert services and all(row["organization"] == org_id for row in services)


def test_status_outside_hsds_is_refused() -> None:
    with pytest.raises(RecordError, match="status"):
        read_record(
            {
                "id": "3f0f6f0e-7a2a-4c43-9d4f-0b8e6f0c1a2b",
                "name": "x",
                "status": "open",
                "organization_id": "3f0f6f0e-7a2a-4c43-9d4f-0b8e6f0c1a2c",
            }
        )


def test_service_without_organization_is_refused() -> None:
    with pytest.raises(RecordError, match="organization"):
        read_record({"id": "3f0f6f0e-7a2a-4c43-9d4f-0b8e6f0c1a2b", "name": "x", "status": "active"})


def test_non_uuid_ids_get_stable_derived_ids() -> None:
    doc = {"id": "svc-17", "name": "Kurs", "status": "active", "organization_id": "org-3"}
    first, second = read_record(doc), read_record(doc)
    assert first.record_id == second.record_id
    assert any("not a UUID" in w for w in first.warnings)


def test_long_texts_are_shortened_to_the_column() -> None:
    doc = {
        "id": "3f0f6f0e-7a2a-4c43-9d4f-0b8e6f0c1a2b",
        "name": "N" * 300,
        "status": "active",
        "organization_id": "3f0f6f0e-7a2a-4c43-9d4f-0b8e6f0c1a2c",
    }
    row = read_record(doc).upserts[0].row
    assert len(row["name"]) == 255


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("service_full.json", "service"),
        ("organization_full.json", "organization"),
        ("location.json", "location"),
        ("service_at_location_full.json", "service_at_location"),
        ("taxonomy.json", "taxonomy"),
        ("taxonomy_term.json", "taxonomy_term"),
    ],
)
def test_record_kinds_are_recognised_by_shape(examples: Path, name: str, kind: str) -> None:
    assert detect_kind(load(examples, name)) == kind


def test_a_standalone_location_without_organization_only_updates(examples: Path) -> None:
    bundle = read_record(load(examples, "location.json"))
    row = bundle.upserts[0].row
    assert "organization" not in row
