#!/usr/bin/env python3
"""Kills `lotse serve` with SIGKILL mid-work, restarts it, and checks that nothing broke.

    .venv/bin/python scripts/probe_crash.py [--rounds 3] [--postgres] [--import-services 3000]
        [--converge-seconds 60] [--seed 12]

On a fresh SQLite database in a temporary data folder (with --postgres also on a throwaway
PostgreSQL database) with the demo network: bursts of referral transitions (send, accept,
waitlist, decline, complete, cancel) and capacity changes over HTTP, the server killed in the
middle of each; then `lotse hsds import` of a generated directory, killed (with the server) in the
middle of its writes, and run again to the end. After every kill the server is restarted and:
SQLite `PRAGMA integrity_check` (and the foreign keys), `lotse audit verify`, every offer's
free + held places <= maximum and held == places held by referrals, and the search index
converges to the database (free places of every offer in search == database) within the limit.
Prints its figures; exits with 1 when a check fails. Everything runs on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from referrals.tests.loadkit import (  # noqa: E402
    Target,
    free_port,
    postgres_target,
    sqlite_target,
)

PG_ADMIN_URL = os.environ.get("LOTSE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
HOLDING = ("SELECT c.service, c.maximum, c.available, c.held, (SELECT COUNT(*) FROM referral r "
           "WHERE r.service = c.service AND r.holds_place) FROM capacity c")
LIVE_OFFERS = ("SELECT s.id, c.available FROM service s LEFT JOIN capacity c ON c.service = s.id "
               "WHERE s.retired_at IS NULL")


def cli(target: Target, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=target.env,
                          capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(f"lotse {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done


class Database:
    """Reads the target database directly, as an operator would after a crash."""

    def __init__(self, target: Target) -> None:
        self.url = target.env["DATABASE_URL"]

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.is_sqlite:
            path = self.url.removeprefix("sqlite:///")
            with contextlib.closing(sqlite3.connect(path, timeout=30)) as connection:
                return connection.execute(sql).fetchall()
        return asyncio.run(self._pg_rows(sql))

    async def _pg_rows(self, sql: str) -> list[tuple[Any, ...]]:
        import asyncpg

        connection = await asyncpg.connect(self.url)
        try:
            return [tuple(row) for row in await connection.fetch(sql)]
        finally:
            await connection.close()


class Server:
    """`lotse serve` in a subprocess, on a port of its own; `kill` is SIGKILL, nothing graceful."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT, env=self.target.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/login", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not come up within 120 seconds")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()


@dataclass
class Burst:
    """What the clients saw of one burst."""

    ok: int = 0
    refused: int = 0
    server_errors: int = 0
    cut: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    # Why requests were refused: a conflict is expected under concurrency, the rest is a finding.
    reasons: dict[str, int] = field(default_factory=dict)
    kill_at: int = 0
    enough: asyncio.Event = field(default_factory=asyncio.Event)

    def count(self, response: httpx.Response | None) -> httpx.Response | None:
        if response is None:
            self.cut += 1
        elif response.status_code >= 500:
            self.server_errors += 1
        elif response.status_code >= 400:
            self.refused += 1
            reason = f"{response.status_code} {response.json().get('detail', '')[:90]}"
            self.reasons[reason] = self.reasons.get(reason, 0) + 1
        else:
            self.ok += 1
        if response is not None:
            self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if self.ok + self.refused >= self.kill_at:
            self.enough.set()
        return response


@dataclass
class Setup:
    case: dict[str, str]
    provider: dict[str, str]
    client_id: str
    services: list[str]


async def prepare(http: httpx.AsyncClient, case: str, provider: str) -> Setup:
    """A client of the demo case manager with consent for the demo provider, and its offers."""
    case_h = {"Authorization": f"Bearer {case}"}
    provider_h = {"Authorization": f"Bearer {provider}"}
    me = (await http.get("/api/me", headers=provider_h)).json()
    org = me["memberships"][0]["organization_id"]
    listed = await http.get("/api/services", headers=case_h,
                            params={"organization_id": org, "per_page": 200})
    services = [item["id"] for item in listed.json()["items"]][:4]
    for service in services:
        await http.patch(f"/api/services/{service}/capacity", headers=provider_h,
                         json={"maximum": 6, "available": 3, "waitlist_open": True})
    person = (await http.post("/api/clients", headers=case_h, json={
        "given_name": "Probe", "family_name": "Person", "languages": ["ar"],
        "district": "Styrum", "birth_date": "1988-02-03"})).json()
    today = time.strftime("%Y-%m-%d")
    await http.post(f"/api/clients/{person['id']}/consents", headers=case_h, json={
        "recipient_org_ids": [org], "purpose": "referral",
        "data_categories": ["identity", "languages", "district"], "valid_from": today,
        "valid_until": f"{int(today[:4]) + 1}{today[4:]}", "evidence": "written"})
    return Setup(case_h, provider_h, person["id"], services)


async def _call(http: httpx.AsyncClient, burst: Burst, method: str, url: str,
                headers: dict[str, str], body: Any = None) -> httpx.Response | None:
    try:
        response = await http.request(method, url, headers=headers, json=body)
    except httpx.HTTPError:
        response = None
    return burst.count(response)


async def life_of_referrals(http: httpx.AsyncClient, setup: Setup, burst: Burst,
                            rng: random.Random, stop: asyncio.Event) -> None:
    """Referrals from draft to an end, again and again, until the server is gone."""
    while not stop.is_set():
        draft = await _call(http, burst, "POST", "/api/referrals", setup.case, {
            "client_id": setup.client_id, "service_id": rng.choice(setup.services),
            "need_category": "language_course", "need_text": "Kurs", "urgency": "normal",
            "languages": ["ar"], "shared_categories": ["identity"], "district": "Styrum"})
        if draft is None or draft.status_code != 201:
            if draft is None:
                return
            continue
        url = f"/api/referrals/{draft.json()['id']}/transitions"
        steps = [(setup.case, {"to": "sent"})]
        answer = rng.choice(["accepted", "accepted", "waitlisted", "declined"])
        if answer == "accepted":
            steps.append((setup.provider, {"to": "accepted", "appointment": "Mo 10 Uhr"}))
            steps.append(rng.choice([(setup.provider, {"to": "completed"}),
                                     (setup.case, {"to": "cancelled"}),
                                     (setup.provider, {"to": "failed",
                                                       "reason": "client_unreachable"})]))
        elif answer == "waitlisted":
            steps.append((setup.provider, {"to": "waitlisted", "expected_wait": "unknown"}))
        else:
            steps.append((setup.provider, {"to": "declined", "reason": "no_capacity"}))
        for headers, body in steps:
            response = await _call(http, burst, "POST", url, headers, body)
            if response is None:
                return
            if response.status_code >= 400:  # e.g. no free place: this referral ends here
                break


async def capacity_changes(http: httpx.AsyncClient, setup: Setup, burst: Burst,
                           rng: random.Random, stop: asyncio.Event) -> None:
    while not stop.is_set():
        body = rng.choice([{"available": rng.randint(0, 6)}, {"maximum": rng.randint(2, 8)},
                           {"waitlist_open": rng.random() < 0.5}])
        url = f"/api/services/{rng.choice(setup.services)}/capacity"
        if await _call(http, burst, "PATCH", url, setup.provider, body) is None:
            return


async def burst_and_kill(server: Server, setup: Setup, rng: random.Random,
                         kill_at: int) -> tuple[Burst, float]:
    """Eight clients at once; SIGKILL once `kill_at` requests were answered (or after 30 s)."""
    burst, stop = Burst(kill_at=kill_at), asyncio.Event()
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        workers = [asyncio.create_task(life_of_referrals(http, setup, burst, rng, stop))
                   for _ in range(6)]
        workers += [asyncio.create_task(capacity_changes(http, setup, burst, rng, stop))
                    for _ in range(2)]
        started = time.perf_counter()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(burst.enough.wait(), 30)
        server.kill()
        killed_after = time.perf_counter() - started
        stop.set()
        await asyncio.gather(*workers)
    return burst, killed_after


@dataclass
class Health:
    integrity: str
    audit: str
    over_maximum: int
    held_mismatch: int
    converge_seconds: float | None
    search_mismatch: int
    offers: int

    @property
    def ok(self) -> bool:
        return (self.integrity in {"ok", "n/a"} and self.audit.startswith("intact")
                and not self.over_maximum and not self.held_mismatch
                and self.converge_seconds is not None)


def search_free_places(target: Target) -> dict[str, Any]:
    """Free places of every offer in the embedded index, read from its files as they are
    committed (the API pages only through the first 1,000 hits)."""
    import tantivy

    from search.embedded_reading import all_addresses, document_at

    index = tantivy.Index.open(str(Path(target.env["LOTSE_DATA_DIR"]) / "search"))
    searcher = index.searcher()
    documents = (document_at(searcher, address)
                 for address in all_addresses(searcher, tantivy.Query.all_query()))
    return {str(document.id): document.free_places for document in documents}


def check(target: Target, limit: float) -> Health:
    db = Database(target)
    integrity = "n/a"
    if db.is_sqlite:
        result = db.rows("PRAGMA integrity_check")
        broken_keys = db.rows("PRAGMA foreign_key_check")
        integrity = "ok" if result == [("ok",)] and not broken_keys else f"{result} {broken_keys}"
    verified = cli(target, "audit", "verify", check=False)
    audit = verified.stdout.strip().splitlines()[0] if verified.stdout.strip() else "no output"
    audit = (f"intact ({audit.split()[1]} entries)" if verified.returncode == 0
             else f"BROKEN: {audit}")
    over = held = 0
    for _service, maximum, available, held_places, holding in db.rows(HOLDING):
        if available < 0 or held_places < 0 or (maximum > 0 and available + held_places > maximum):
            over += 1
        if held_places != holding:
            held += 1
    started, mismatch, truth = time.perf_counter(), -1, {}
    while time.perf_counter() - started < limit:
        truth = {str(service): available for service, available in db.rows(LIVE_OFFERS)}
        try:
            indexed = search_free_places(target)
        except ValueError:  # being rebuilt after the crash
            indexed = {}
        mismatch = sum(1 for key, value in truth.items() if indexed.get(key, "missing") != value)
        mismatch += sum(1 for key in indexed if key not in truth)
        if mismatch == 0:
            return Health(integrity, audit, over, held, time.perf_counter() - started, 0,
                          len(truth))
        time.sleep(0.5)
    return Health(integrity, audit, over, held, None, mismatch, len(truth))


def show(label: str, health: Health) -> None:
    converged = (f"{health.converge_seconds:.1f} s" if health.converge_seconds is not None
                 else f"NOT within the limit ({health.search_mismatch} offers differ)")
    print(f"  {label}: integrity {health.integrity}; audit {health.audit}; "
          f"free+held > maximum: {health.over_maximum}; held != referrals holding: "
          f"{health.held_mismatch}; search == database ({health.offers} offers) after "
          f"{converged}")


def hsds_source(folder: Path, services: int) -> Path:
    """A generated directory of `services` offers, exported as HSDS (built in its own SQLite)."""
    env = {**sqlite_env(folder / "source"), "DATABASE_URL": f"sqlite:///{folder / 'source.db'}"}
    bench = str(ROOT / "scripts" / "bench_hsds.py")
    for phase, argument in (("generate", str(services)), ("export", str(folder / "hsds"))):
        subprocess.run([sys.executable, bench, "--phase", phase, argument], cwd=ROOT, env=env,
                       check=True, capture_output=True)
    return folder / "hsds"


def sqlite_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOTSE_", "DATABASE_URL"))}
    return {**env, "PICCOLO_CONF": "piccolo_conf", "LOTSE_DATA_DIR": str(data_dir),
            "LOTSE_SECRET_KEY": "probe-secret-key-that-is-long-enough-0123456789"}


def kill_during_import(target: Target, server: Server, source: Path, services: int,
                       limit: float, rng: random.Random) -> bool:
    db = Database(target)
    kill_at = int(services * rng.uniform(0.2, 0.6))
    before = db.rows("SELECT COUNT(*) FROM service")[0][0]
    importer = subprocess.Popen([sys.executable, "-m", "cli", "hsds", "import", str(source),
                                 "--batch-size", "100"], cwd=ROOT, env=target.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    written = before
    while importer.poll() is None and written - before < kill_at:
        time.sleep(0.05)
        written = db.rows("SELECT COUNT(*) FROM service")[0][0]
    importer.send_signal(signal.SIGKILL)
    server.kill()
    importer.wait()
    print(f"  import killed (with the server) after {written - before} of {services} offers")
    print(f"  restart: {server.start():.1f} s")
    health = check(target, limit)
    show("after the kill", health)
    started = time.perf_counter()
    cli(target, "hsds", "import", str(source), "--batch-size", "100")
    after = db.rows("SELECT COUNT(*) FROM service")[0][0]
    print(f"  import run again to the end in {time.perf_counter() - started:.1f} s: "
          f"{after - before} offers (expected {services})")
    again = check(target, limit)
    show("after the second import", again)
    return health.ok and again.ok and after - before == services


def probe(target: Target, args: argparse.Namespace, source: Path) -> bool:
    print(f"{target.name}:")
    cli(target, "migrate")
    cli(target, "demo")
    case = cli(target, "token", "--user", "case@lotse.example").stdout.strip().splitlines()[-1]
    provider = cli(target, "token", "--user",
                   "provider@lotse.example").stdout.strip().splitlines()[-1]
    rng = random.Random(args.seed)
    server = Server(target)
    print(f"  first start: {server.start():.1f} s")

    async def setup() -> Setup:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            return await prepare(http, case, provider)

    prepared = asyncio.run(setup())
    healthy = True
    try:
        for round_ in range(1, args.rounds + 1):
            kill_at = rng.randint(40, 120)
            burst, seconds = asyncio.run(burst_and_kill(server, prepared, rng, kill_at))
            print(f"  round {round_}: killed after {seconds:.1f} s: {burst.ok} answered, "
                  f"{burst.refused} refused (4xx), {burst.server_errors} server errors, "
                  f"{burst.cut} cut off; statuses {dict(sorted(burst.statuses.items()))}")
            for reason, times in sorted(burst.reasons.items()):
                print(f"    refused {times}x: {reason}")
            print(f"  restart: {server.start():.1f} s")
            health = check(target, args.converge_seconds)
            show(f"round {round_}", health)
            healthy &= health.ok and not burst.server_errors
        healthy &= kill_during_import(target, server, source, args.import_services,
                                      args.converge_seconds, rng)
    finally:
        server.kill()
    return healthy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="bursts, each ended by a kill")
    parser.add_argument("--postgres", action="store_true",
                        help="also on a throwaway PostgreSQL database (LOTSE_TEST_POSTGRES)")
    parser.add_argument("--import-services", type=int, default=3000)
    parser.add_argument("--converge-seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lotse-probe-") as folder:
        started = time.perf_counter()
        source = hsds_source(Path(folder), args.import_services)
        print(f"HSDS source of {args.import_services} offers built in "
              f"{time.perf_counter() - started:.1f} s")
        healthy = True
        with sqlite_target() as target:
            healthy &= probe(target, args, source)
        if args.postgres:
            with postgres_target(PG_ADMIN_URL) as target:
                healthy &= probe(target, args, source)
    print("all checks passed" if healthy else "A CHECK FAILED")
    sys.exit(0 if healthy else 1)


if __name__ == "__main__":
    main()
