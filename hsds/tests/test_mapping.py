"""Directory records -> HSDS records (pure): valid against the official schemas, deterministic."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from directory.api import (
    CapacityRecord,
    CostOptionRecord,
    LanguageRecord,
    LocationRecord,
    OrganizationRecord,
    PhoneRecord,
    ServiceAtLocationRecord,
    ServiceRecord,
    TranslationRecord,
)
from hsds import extensions as ext
from hsds import mapping, schema
from hsds.bundle import RecordReader
from hsds.reader import read_record
from hsds.reader_parts import phones

ORG = uuid.UUID("0d6c4a53-9a0e-4a39-9d6e-0c1b2a3f4e51")
SERVICE = uuid.UUID("5b7f5a38-1a4c-4cfe-8b1e-8b4a3c2d1e0f")
LOCATION = uuid.UUID("8e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b")
WHEN = datetime(2026, 5, 4, 12, 0, 30, 250000, tzinfo=UTC)


def org_row(**fields: Any) -> OrganizationRecord:
    return OrganizationRecord(**{
        "id": ORG,
        "name": "AWO Mülheim",
        "alternate_name": None,
        "description": "",
        "email": None,
        "website": "awo.example",
        "legal_status": None,
        "kind": "welfare",
        "created_at": WHEN,
        "last_modified": WHEN,
        **fields,
    })


def service_row(**fields: Any) -> ServiceRecord:
    return ServiceRecord(**{
        "id": SERVICE,
        "organization": ORG,
        "name": "Frauencafé",
        "alternate_name": None,
        "description": "Treffpunkt",
        "url": None,
        "email": None,
        "status": "active",
        "interpretation_services": "",
        "application_process": "",
        "fees_description": "",
        "free_of_charge": True,
        "eligibility_description": "",
        "minimum_age": None,
        "maximum_age": None,
        "wait_time": "",
        "alert": "",
        "assured_date": None,
        "assurer_email": None,
        "created_at": WHEN,
        "last_modified": WHEN,
        **fields,
    })


def location_row(**fields: Any) -> LocationRecord:
    return LocationRecord(**{
        "id": LOCATION,
        "organization": ORG,
        "name": "Treff Eppinghofen",
        "description": "",
        "location_type": "physical",
        "address_1": "Heißener Str. 5",
        "postal_code": "45468",
        "city": "Mülheim an der Ruhr",
        "district": "Eppinghofen",
        "latitude": 51.43,
        "longitude": 6.88,
        "transportation": "",
        "accessibility_description": "",
        "wheelchair_accessible": False,
        "last_modified": WHEN,
        **fields,
    })


def full_parts() -> mapping.ServiceParts:
    location = mapping.location_doc(location_row(), phones=[], schedules=[])
    sal = mapping.service_at_location_doc(
        ServiceAtLocationRecord(id=uuid.uuid4(), service=SERVICE, location=LOCATION),
        location=location,
        schedules=[],
    )
    return mapping.ServiceParts(
        organization=org_row(),
        service_at_locations=[sal],
        languages=[LanguageRecord(id=uuid.uuid4(), service=SERVICE, code="fa")],
        cost_options=[
            CostOptionRecord(
                id=uuid.uuid4(),
                service=SERVICE,
                amount=Decimal("5.00"),
                valid_from=date(2026, 1, 1),
            )
        ],
        capacity=CapacityRecord(
            id=uuid.uuid4(),
            service=SERVICE,
            maximum=8,
            available=2,
            waitlist_open=True,
            updated=WHEN,
        ),
        translations=[
            TranslationRecord(
                id=uuid.uuid4(), service=SERVICE, language="en", name="Women's café"
            )
        ],
    )


def test_full_service_validates_against_the_official_schema(hsds_schemas: Path) -> None:
    doc = mapping.service_doc(service_row(minimum_age=18), full_parts())
    assert schema.record_errors("service", doc) == []
    assert doc["capacities"][0]["unit"]["name"] == "Plätze"
    assert doc["languages"][0]["name"] == "Persian"


def test_empty_optional_texts_are_left_out() -> None:
    doc = mapping.service_doc(service_row(), mapping.ServiceParts(organization=org_row()))
    assert "alert" not in doc and "wait_time" not in doc and "url" not in doc
    assert doc["description"] == "Treffpunkt"


def test_list_shape_has_no_child_arrays_but_its_organization() -> None:
    doc = mapping.service_doc(service_row(), full_parts(), full=False)
    assert doc["organization"]["id"] == str(ORG)
    assert not [key for key, value in doc.items() if isinstance(value, list)]


def test_website_without_scheme_becomes_a_uri() -> None:
    assert mapping.organization_doc(org_row())["website"] == "https://awo.example"
    assert mapping.web_address("http://x.example") == "http://x.example"


def test_timestamps_are_utc_with_microseconds() -> None:
    assert mapping.iso_datetime(WHEN) == "2026-05-04T12:00:30.250000Z"


def test_lotse_fields_travel_as_attributes_and_come_back() -> None:
    parts = full_parts()
    parts.organization = org_row(kind="volunteer")
    doc = mapping.service_doc(service_row(free_of_charge=False), parts)
    doc["service_at_locations"][0]["location"]["attributes"] = mapping.location_doc(
        location_row(wheelchair_accessible=True), phones=[], schedules=[]
    )["attributes"]
    bundle = read_record(doc)
    rows = {u.table: u.row for u in bundle.upserts}
    assert rows["organization"]["kind"] == "volunteer"
    assert rows["service"]["free_of_charge"] is False
    assert rows["location"]["district"] == "Eppinghofen"
    assert rows["location"]["wheelchair_accessible"] is True
    capacity = next(c for c in bundle.children if c.table == "capacity").rows[0]
    assert capacity["waitlist_open"] is True
    translation = next(c for c in bundle.children if c.table == "translation").rows[0]
    assert translation["name"] == "Women's café"


def test_attribute_ids_are_stable() -> None:
    first = ext.attribute("location", LOCATION, "district", "Styrum")
    again = ext.attribute("location", LOCATION, "district", "Broich")
    assert first["id"] == again["id"]
    assert first["taxonomy_term_id"] == ext.term_id("district")


def test_a_non_numeric_phone_extension_is_kept_aside() -> None:
    doc = mapping.phone_doc(
        PhoneRecord(id=uuid.uuid4(), service=SERVICE, number="0208 1", extension="12a")
    )
    assert "extension" not in doc and doc["lotse_extension"] == "12a"
    reader = RecordReader("service", SERVICE, "")
    assert phones(reader, [doc], "service", SERVICE)[0]["extension"] == "12a"


def test_children_are_sorted_so_output_is_deterministic() -> None:
    parts = full_parts()
    ids = [uuid.UUID(int=n) for n in (3, 1, 2)]
    parts.languages = [LanguageRecord(id=i, service=SERVICE, code="de") for i in ids]
    doc = mapping.service_doc(service_row(), parts)
    assert [item["id"] for item in doc["languages"]] == sorted(str(i) for i in ids)
