"""Times the HSDS export and import of a generated state-size directory and their peak memory.

Usage: .venv/bin/python scripts/bench_hsds.py [--services 100000] [--postgres] [--steps ...]

Generates the offers (with organisations, locations, phones, languages, capacities, terms and
schedules) into a fresh database, exports them, imports the export into a second fresh database
(a Lotse with only its taxonomies), imports it once more (nothing changes), then imports it into
a third database, kills that import (SIGKILL) once 40% of the offers are in, and runs it again
("re-run after kill": should take no longer than the first import and leave no duplicate
flags). ``index`` then delivers what the first import told the search index (the outbox), and
``export (imported)`` exports the imported directory. ``--steps`` picks steps (``quick``:
generate, export, import, index, export of the import). Prints wall seconds, CPU seconds,
records per second and the peak resident memory (ru_maxrss) of each step, each in its own
process, and a fixed reference computation's CPU seconds at the start and the end: on a loaded
machine it shows how much every figure is stretched. SQLite by default; --postgres uses three
throwaway databases on LOTSE_TEST_POSTGRES.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Measure the checkout this script lives in, whatever else the environment has installed.
sys.path.insert(0, str(ROOT))
PG_ADMIN_URL = os.environ.get("LOTSE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
TOPICS = ("Migrationsberatung", "Deutschkurs", "Sprachcafé", "Jobcoaching", "Hausaufgabenhilfe",
          "Frauentreff", "Schuldnerberatung", "Elterncafé", "Integrationskurs", "Bewerbungshilfe")
STREETS = ("Hauptstraße", "Bahnhofstraße", "Schulstraße", "Kirchweg", "Marktplatz", "Ringstraße")
LANGUAGES = ("de", "en", "ar", "tr", "uk", "ru", "fa", "ti", "ku", "pl")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def generate(services: int) -> int:
    """The offers, written as an import would write them: through the directory's and the
    calendars' front doors, a thousand offers per transaction."""
    from calendars import api as calendars
    from core.db import atomic
    from core.migrate import migrate
    from core.row_sync import ChildRows, RowUpsert
    from directory import api as directory
    from directory.taxonomy_data import ensure_taxonomies

    @dataclass
    class Rows:
        upserts: list[RowUpsert] = field(default_factory=list)
        children: list[ChildRows] = field(default_factory=list)

        def add(self, table: str, **row: Any) -> None:
            self.upserts.append(RowUpsert(table, {"id": uuid.uuid4(), **row}))

    async def write(rows: Rows) -> None:
        async with atomic():
            schedules = await calendars.plan_hsds_schedules([rows])
            await directory.apply_imported_records(await directory.plan_imported_records([rows]))
            await calendars.apply_hsds_schedules(schedules)

    await migrate()
    await ensure_taxonomies()
    terms = [term.id for term in await directory.taxonomy_term_records()]
    rng = random.Random(7)
    now = datetime.now(UTC)
    org_count = max(1, services // 100)
    orgs = [uuid.uuid4() for _ in range(org_count)]
    first = Rows()
    for n, org in enumerate(orgs):
        first.upserts.append(RowUpsert("organization", {
            "id": org, "name": f"Träger {n}", "description": "Träger der Integrationsarbeit",
            "kind": "welfare", "created_at": now, "last_modified": now}))
    await write(first)
    hours = {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:00", "closes_at": "12:00"}
    chunk = 1000
    for start in range(0, services, chunk):
        rows = Rows()
        for n in range(start, min(services, start + chunk)):
            org = orgs[n % org_count]
            service, location = uuid.uuid4(), uuid.uuid4()
            rows.upserts.append(RowUpsert("location", dict(
                id=location, organization=org, name=f"Standort {n}",
                address_1=f"{rng.choice(STREETS)} {rng.randint(1, 200)}",
                postal_code=f"{45000 + rng.randint(0, 4999)}", city="Mülheim an der Ruhr",
                district=f"Bezirk {rng.randint(1, 30)}", latitude=51.0 + rng.random(),
                longitude=6.5 + rng.random(), last_modified=now)))
            rows.upserts.append(RowUpsert("service", dict(
                id=service, organization=org, name=f"{rng.choice(TOPICS)} {n}",
                description="Beratung und Begleitung für Neuzugewanderte. " * 3,
                eligibility_description="Alle Altersgruppen", created_at=now, last_modified=now)))
            rows.add("service_at_location", service=service, location=location)
            rows.add("phone", service=service, number=f"0208 {100000 + n}")
            for code in rng.sample(LANGUAGES, 2):
                rows.add("language", service=service, code=code)
            rows.add("capacity", service=service, maximum=20, available=rng.randint(0, 20),
                     updated=now)
            for term in rng.sample(terms, 2):
                rows.add("service_term", service=service, term=term)
            schedule = calendars.hsds_schedule_rows(
                "service", service, [{"id": str(uuid.uuid4()), **hours}])
            rows.children.append(ChildRows("schedule", "service", service, schedule.rules))
        await write(rows)
    return services


async def export(folder: Path) -> int:
    from hsds.export import export_directory

    summary = await export_directory(folder)
    return summary.counts.get("service", 0)


async def import_(folder: Path) -> dict[str, Any]:
    from core.migrate import migrate
    from directory.taxonomy_data import ensure_taxonomies
    from domains import install
    from hsds.importer import ImportOptions, import_source
    from hsds.review import open_duplicates

    install()  # the import tells the search index what changed, through the outbox
    # A fresh Lotse, as `lotse migrate` leaves it: the schema and the Lotse taxonomies.
    await migrate()
    await ensure_taxonomies()
    report = await import_source(str(folder), ImportOptions(batch_size=500, source_name="bench"))
    return {"errors": report.error_count,
            "created": report.counts[("service", "created")],
            "unchanged": report.counts[("service", "unchanged")],
            "review": report.review_links,
            "duplicate_flags": len(await open_duplicates())}


async def index() -> dict[str, Any]:
    """Deliver every outbox event waiting (the search index learns of the imported offers)."""
    from domains import install
    from outbox.dispatcher import deliver_due

    install()
    events = 0
    while handled := await deliver_due():
        events += handled
    return {"events": events}


def reference() -> float:
    """CPU seconds of a fixed pure-Python computation: compare runs by it."""
    started = time.process_time()
    total = 0
    for n in range(10_000_000):
        total += n % 7
    return time.process_time() - started


def phase(name: str, argument: str) -> None:
    """Run one step in this process and print its figures as JSON."""
    started = time.perf_counter()
    if name == "generate":
        result: Any = asyncio.run(generate(int(argument)))
    elif name == "export":
        result = asyncio.run(export(Path(argument)))
    elif name == "index":
        result = asyncio.run(index())
    else:
        result = asyncio.run(import_(Path(argument)))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": peak_mb(),
                      "cpu": usage.ru_utime + usage.ru_stime, "result": result}))


ALL_STEPS = ("generate", "export", "import", "again", "killed", "rerun", "index", "reexport")
QUICK_STEPS = ("generate", "export", "import", "index", "reexport")
STEP_NAMES = {"generate": "generate", "export": "export", "import": "import (empty)",
              "again": "import (again)", "killed": "import (killed)",
              "rerun": "re-run after kill", "index": "index (outbox)",
              "reexport": "export (imported)"}


def run_phase(name: str, argument: str, env: dict[str, str]) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--phase", name, argument],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def imported_services(url: str) -> int:
    """Offers the import has committed so far (read beside it, as an operator would look)."""
    try:
        if url.startswith("sqlite:///"):
            import sqlite3

            with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=5) as connection:
                return int(connection.execute("SELECT count(*) FROM service").fetchone()[0])
        import asyncpg

        async def count() -> int:
            connection = await asyncpg.connect(url)
            try:
                return int(await connection.fetchval("SELECT count(*) FROM service"))
            finally:
                await connection.close()

        return asyncio.run(count())
    except Exception:  # the schema may not exist yet while the import starts
        return 0


def killed_phase(argument: str, env: dict[str, str], services: int) -> dict[str, Any]:
    """Start an import and kill it (SIGKILL), as a crash would, once 40% of the offers are in."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--phase", "import", argument],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    started = time.perf_counter()
    done = 0
    while process.poll() is None:
        done = imported_services(env["DATABASE_URL"])
        if done >= services * 0.4:
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.5)
    process.wait()
    return {"seconds": time.perf_counter() - started, "peak_mb": 0.0, "cpu": 0.0,
            "result": {"killed": process.returncode == -signal.SIGKILL, "services_in": done}}


def pg_databases(names: list[str], drop: bool = False) -> list[str]:
    import asyncpg

    async def work() -> None:
        connection = await asyncpg.connect(PG_ADMIN_URL)
        try:
            for name in names:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                if not drop:
                    await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(work())
    return [PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name for name in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--steps", default="all",
                        help="comma-separated: generate, export, import, again, killed, rerun, "
                             "index, reexport; or quick (generate, export, import, index, "
                             "reexport); or all")
    parser.add_argument("--phase", nargs=2, metavar=("NAME", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(*args.phase)
        return
    work = Path(tempfile.mkdtemp(prefix="lotse-bench-hsds-"))
    base = {**os.environ, "PICCOLO_CONF": "piccolo_conf", "LOTSE_DB_POOL": "false",
            "LOTSE_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789"}
    sides = ("source", "target", "killed")
    names = [f"lotse_bench_hsds_{os.getpid()}_{side}" for side in sides]
    if args.postgres:
        urls = pg_databases(names)
    else:
        urls = [f"sqlite:///{work / side}.sqlite" for side in sides]
    source, target, killed = (
        {**base, "LOTSE_DATA_DIR": str(work / side), "DATABASE_URL": url}
        for side, url in zip(sides, urls, strict=True)
    )
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"HSDS benchmark: {args.services} services on {engine} (work folder {work})")
    wanted = {"all": ALL_STEPS, "quick": QUICK_STEPS}.get(args.steps, args.steps.split(","))
    before = reference()
    steps: list[tuple[str, dict[str, Any]]] = []
    try:
        for step in wanted:
            if step == "killed":
                figures = killed_phase(str(work / "export"), killed, args.services)
            elif step in {"generate", "export"}:
                argument = str(args.services) if step == "generate" else str(work / "export")
                figures = run_phase(step, argument, source)
            elif step == "reexport":
                figures = run_phase("export", str(work / "reexport"), target)
            elif step == "index":
                figures = run_phase("index", "-", target)
            else:
                env = killed if step == "rerun" else target
                figures = run_phase("import", str(work / "export"), env)
            steps.append((STEP_NAMES[step], figures))
            print(f"  {STEP_NAMES[step]}: {figures}", flush=True)
    finally:
        if args.postgres:
            pg_databases(names, drop=True)
    size = sum(p.stat().st_size for p in (work / "export").rglob("*") if p.is_file())
    print(f"reference computation: {before:.2f} CPU s before, {reference():.2f} after")
    print(f"{'step':<18}{'seconds':>9}{'cpu s':>9}{'services/s':>12}{'peak MB':>9}  result")
    for name, figures in steps:
        rate = args.services / figures["seconds"]
        print(f"{name:<18}{figures['seconds']:>9.1f}{figures['cpu']:>9.1f}{rate:>12.0f}"
              f"{figures['peak_mb']:>9.0f}  {figures['result']}")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: other work "
          "on the machine stretches the wall-clock seconds, and the CPU seconds by about the "
          "reference's ratio)")
    print(f"export size: {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
