"""An import killed midway (SIGKILL) is resumed by running it again: no duplicates, same result."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import conftest
from conftest import run
from directory.tables import Capacity, Location, Organization, Service, ServiceAtLocation
from hsds.importer import ImportOptions, import_source
from hsds.tables import DuplicateFlag, ImportedRecord

ROOT = Path(__file__).resolve().parents[2]
SERVICES = 300
ORGS = 3


def network_file(path: Path) -> Path:
    """Offers with look-alike names ("Deutschkurs 12", "Deutschkurs 13") under a few providers,
    the shape that made a resumed run flag every new offer against the killed run's ones."""
    ids = [uuid.UUID(int=n + 1) for n in range(ORGS)]
    records: list[dict[str, Any]] = [
        {"id": str(org), "name": f"Träger {n}", "description": ""} for n, org in enumerate(ids)
    ]
    for n in range(SERVICES):
        service = uuid.uuid5(ids[0], f"service {n}")
        location = uuid.uuid5(ids[0], f"location {n}")
        records.append(
            {
                "id": str(service),
                "name": f"Deutschkurs {n}",
                "status": "active",
                "organization_id": str(ids[n % ORGS]),
                "capacities": [{"available": n % 7, "maximum": 10}],
                "service_at_locations": [
                    {
                        "location": {
                            "id": str(location),
                            "name": f"Standort {n}",
                            "organization_id": str(ids[n % ORGS]),
                            "addresses": [{"address_1": "Hauptstraße 1", "postal_code": "45468"}],
                        }
                    }
                ],
            }
        )
    path.write_text(json.dumps(records))
    return path


def counts() -> dict[str, int]:
    tables: list[Any] = [
        Organization, Service, Location, ServiceAtLocation, Capacity, DuplicateFlag, ImportedRecord
    ]
    return {table._meta.tablename: int(run(table.count())) for table in tables}


def test_a_killed_import_run_again_ends_as_an_uninterrupted_one(db: None, tmp_path: Path) -> None:
    path = network_file(tmp_path / "records.json")
    options = ImportOptions(source_name="partner", batch_size=10)
    report = run(import_source(str(path), options))
    assert report.error_count == 0, report.errors
    expected = counts()
    assert expected["service"] == SERVICES

    run(conftest._truncate())
    command = [sys.executable, "cli.py", "hsds", "import", str(path), "--source", "partner",
               "--batch-size", "10"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=os.environ.copy(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        # Wait until some batches have committed, then kill without warning.
        while run(Service.count()) < SERVICES // 5 and process.poll() is None:
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert 0 < run(Service.count()) < SERVICES, "the import must be killed midway"

    again = run(import_source(str(path), options))
    assert again.error_count == 0, again.errors
    assert again.counts[("service", "failed")] == 0
    assert counts() == expected
    assert run(DuplicateFlag.count()) == 0
