"""`lotse hsds import`: upsert by id, round trips, dry runs, errors per record, examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import conftest
from conftest import run
from directory.tables import Capacity, Location, Organization, Phone, Service, ServiceTerm
from hsds import schema
from hsds.export import FILES, export_directory
from hsds.importer import ImportOptions, import_source
from hsds.tests.conftest import allow_all, read_array

PARTNER = ImportOptions(source_name="partner")


def export_to(folder: Path) -> Path:
    run(export_directory(folder))
    return folder


def same_files(first: Path, second: Path) -> None:
    for path in sorted(first.rglob("*")):
        if path.is_file():
            other = second / path.relative_to(first)
            assert path.read_bytes() == other.read_bytes(), path.relative_to(first)


def empty_database() -> None:
    run(conftest._truncate())


def test_round_trip_into_an_empty_database_gives_identical_documents(
    network: dict[str, Any], tmp_path: Path
) -> None:
    first = export_to(tmp_path / "first")
    empty_database()
    report = run(import_source(str(first), ImportOptions(adopt_taxonomies=True)))
    assert report.error_count == 0, report.errors
    assert report.total("created") > 0
    same_files(first, export_to(tmp_path / "second"))


def test_second_import_of_the_same_data_changes_nothing(
    network: dict[str, Any], tmp_path: Path
) -> None:
    folder = export_to(tmp_path / "out")
    allow_all(str(folder))
    first = run(import_source(str(folder)))
    second = run(import_source(str(folder)))
    assert first.error_count == second.error_count == 0, first.errors
    assert second.total("created") == 0 and second.total("updated") == 0
    assert second.total("unchanged") == first.total("unchanged") + first.total("updated")
    before = run(Service.select(Service.id, Service.last_modified).order_by(Service.id))
    run(import_source(str(folder)))
    assert run(Service.select(Service.id, Service.last_modified).order_by(Service.id)) == before


def test_changed_records_are_updated_and_children_replaced(
    network: dict[str, Any], tmp_path: Path
) -> None:
    folder = export_to(tmp_path / "out")
    services = read_array(folder / "services.json")
    advice = next(s for s in services if s["id"] == str(network["advice"]))
    advice["name"] = "Migrationsberatung (MBE)"
    advice["phones"] = []
    advice["capacities"][0]["available"] = 0
    (folder / "services.json").write_text(json.dumps(services))
    allow_all("partner")
    report = run(import_source(str(folder / "services.json"), PARTNER))
    assert report.counts[("service", "updated")] == 1
    assert report.counts[("service", "unchanged")] == len(services) - 1
    row = run(Service.select().where(Service.id == network["advice"]).first())
    assert row is not None and row["name"] == "Migrationsberatung (MBE)"
    assert not run(Phone.exists().where(Phone.service == network["advice"]))
    capacity = run(Capacity.select().where(Capacity.service == network["advice"]).first())
    assert capacity is not None and capacity["available"] == 0 and capacity["waitlist_open"] is True


def test_dry_run_counts_but_writes_nothing(network: dict[str, Any], tmp_path: Path) -> None:
    folder = export_to(tmp_path / "out")
    empty_database()
    report = run(import_source(str(folder), ImportOptions(dry_run=True, adopt_taxonomies=True)))
    assert report.counts[("service", "created")] == 3
    assert report.error_count == 0, report.errors
    assert run(Service.count()) == 0 and run(Organization.count()) == 0


def test_a_bad_record_is_reported_and_the_rest_imported(db: None, tmp_path: Path) -> None:
    org = "9a4f0a54-8f0e-4a55-8c7e-0e4d2b0f6a11"
    records = [
        {"id": org, "name": "Diakonie", "description": ""},
        {
            "id": "0a4f0a54-8f0e-4a55-8c7e-0e4d2b0f6a12",
            "name": "Kleiderkammer",
            "status": "active",
            "organization_id": org,
        },
        {
            "id": "0a4f0a54-8f0e-4a55-8c7e-0e4d2b0f6a13",
            "name": "Kaputt",
            "status": "offen",
            "organization_id": org,
        },
        {
            "id": "0a4f0a54-8f0e-4a55-8c7e-0e4d2b0f6a14",
            "name": "Ohne Träger",
            "status": "active",
            "organization_id": "0a4f0a54-8f0e-4a55-8c7e-0e4d2b0f6a99",
        },
        {
            "id": "0a4f0a54-8f0e-4a55-8c7e-0e4d2b0f6a15",
            "name": "Tafel",
            "status": "active",
            "organization_id": org,
        },
    ]
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(records))
    report = run(import_source(str(path)))
    assert report.error_count == 2
    assert any("offen" in p.message for p in report.errors)
    assert any("not known here" in p.message for p in report.errors)
    names = {row["name"] for row in run(Service.select(Service.name))}
    assert names == {"Kleiderkammer", "Tafel"}


def test_unknown_taxonomy_terms_go_to_the_review_list(db: None, examples: Path) -> None:
    from hsds.tables import TermReview, TermReviewLink

    report = run(import_source(str(examples / "service_full.json")))
    assert report.error_count == 0, report.errors
    review = run(TermReview.select().first())
    assert review is not None and review["code"] == "code" and review["status"] == "open"
    assert run(TermReviewLink.count()) == 1
    assert run(ServiceTerm.count()) == 0


def test_official_examples_import_and_re_export_valid_records(
    db: None, examples: Path, tmp_path: Path
) -> None:
    report = run(import_source(str(examples), ImportOptions(adopt_taxonomies=True)))
    assert report.error_count == 0, report.errors
    assert any("tabular" in note for note in report.skipped)
    # The examples describe one service (and its organisation and location) many times over.
    assert run(Service.count()) == 1 and run(Location.count()) == 1
    again = run(import_source(str(examples), ImportOptions(adopt_taxonomies=True)))
    assert again.total("created") == 0 and again.total("updated") == 0
    out = export_to(tmp_path / "out")
    kinds = {
        "services.json": "service",
        "organizations.json": "organization",
        "taxonomies.json": "taxonomy",
        "taxonomy_terms.json": "taxonomy_term",
    }
    for name in FILES:
        for record in read_array(out / name):
            assert schema.record_errors(kinds[name], record) == [], (name, record["id"])


def test_probable_duplicates_of_existing_offers_are_flagged(
    network: dict[str, Any], tmp_path: Path
) -> None:
    from hsds.tables import DuplicateFlag

    record = {
        "id": "7c1f4b2e-2d7a-4b8e-9f0a-3e5d6c7b8a91",
        "name": "Migrationsberatung fuer Erwachsene",
        "status": "active",
        "organization": {
            "id": "7c1f4b2e-2d7a-4b8e-9f0a-3e5d6c7b8a92",
            "name": "Caritasverband Mülheim",
            "description": "",
        },
    }
    path = tmp_path / "services.json"
    path.write_text(json.dumps([record]))
    report = run(import_source(str(path)))
    assert [d.existing_id for d in report.duplicates] == [network["advice"]]
    flag = run(DuplicateFlag.select().first())
    assert flag is not None and flag["existing_service"] == network["advice"]


def test_demo_network_round_trip_gives_identical_documents(db: None, tmp_path: Path) -> None:
    from calendars.demo import load_demo as load_demo_schedules
    from directory.demo import load_demo

    run(load_demo())
    run(load_demo_schedules())
    first = export_to(tmp_path / "first")
    services = read_array(first / "services.json")
    assert len(services) > 10
    assert sum(len(service["schedules"]) for service in services) > 10
    if schema.schema_dir_available():
        kinds = {
            "services.json": "service",
            "organizations.json": "organization",
            "taxonomies.json": "taxonomy",
            "taxonomy_terms.json": "taxonomy_term",
        }
        for name, kind in kinds.items():
            for record in read_array(first / name):
                assert schema.record_errors(kind, record) == [], (name, record["id"])
    empty_database()
    report = run(import_source(str(first), ImportOptions(adopt_taxonomies=True)))
    assert report.error_count == 0, report.errors[:5]
    assert report.review_links == 0
    same_files(first, export_to(tmp_path / "second"))


def test_demo_import_into_a_fresh_install_knows_the_lotse_taxonomies(
    db: None, tmp_path: Path
) -> None:
    from calendars.demo import load_demo as load_demo_schedules
    from directory.demo import load_demo
    from directory.taxonomy_data import ensure_taxonomies

    run(load_demo())
    run(load_demo_schedules())
    first = export_to(tmp_path / "first")
    empty_database()
    run(ensure_taxonomies())
    report = run(import_source(str(first)))
    assert report.error_count == 0 and report.review_links == 0
    same_files(first, export_to(tmp_path / "second"))


def test_import_tells_the_search_index_what_changed(
    network: dict[str, Any], tmp_path: Path
) -> None:
    from outbox import registry
    from outbox.registry import OutboxMessage, consumer
    from outbox.tables import OutboxEvent

    topics = [
        "directory.service_changed",
        "directory.organization_changed",
        "directory.location_changed",
    ]

    @consumer("hsds-test-listener", topics=topics)
    async def listen(events: list[OutboxMessage]) -> None:
        return None

    try:
        folder = export_to(tmp_path / "out")
        allow_all("partner")
        run(import_source(str(folder), PARTNER))  # settles the one normalised website
        run(OutboxEvent.delete(force=True))
        services = read_array(folder / "services.json")
        course = next(s for s in services if s["id"] == str(network["course"]))
        course["languages"] = []
        (folder / "services.json").write_text(json.dumps(services))
        run(import_source(str(folder / "services.json"), PARTNER))
        events = run(
            OutboxEvent.select(OutboxEvent.topic, OutboxEvent.payload).where(
                OutboxEvent.consumer == "hsds-test-listener"
            )
        )
        payloads = [(e["topic"], e["payload"]) for e in events]
        assert len(payloads) == 1
        topic, payload = payloads[0]
        payload = json.loads(payload) if isinstance(payload, str) else payload
        assert topic == "directory.service_changed"
        assert payload == {"service_ids": [str(network["course"])]}
    finally:
        registry._consumers.pop("hsds-test-listener", None)
