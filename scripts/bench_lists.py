#!/usr/bin/env python3
"""Lists and feeds over HTTP: `/api/services` and `/hsds/services` at 100,000 offers, and the
largest demo provider's organisation feed, each against a real server process (SQLite).

    .venv/bin/python scripts/bench_lists.py [--offers 100000] [--data-dir DIR] [--requests 200]
        [--app-dir /path/to/a/checkout] [--drop-index]

The databases are filled once into `--data-dir` (default: a folder under /tmp) and reused by
later runs; `--app-dir` serves another checkout of Lotse against them, `--drop-index` removes
the list-order index first (how the lists ran before it). Prints p50/p95 with one client, and
requests per second with 16.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from bench_requests import Connection, _quantile, _uvicorn, server  # noqa: E402

from core.testing.servers import free_port  # noqa: E402

SECRET = "bench-lists-secret-key-0123456789-abcdefghijklmnop"  # noqa: S105 - a throwaway database


def _env(data_dir: Path, database: Path, app_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOTSE_", "DATABASE_URL"))}
    env.update({"PICCOLO_CONF": "piccolo_conf", "LOTSE_DATA_DIR": str(data_dir),
                "LOTSE_SECRET_KEY": SECRET, "LOTSE_RUN_DISPATCHER": "false",
                "DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(app_dir)})
    return env


async def _fill(kind: str, offers: int) -> dict[str, Any]:
    """Runs in a subprocess with the target database configured."""
    import domains
    from accounts.credentials import issue_token
    from accounts.users import create_user
    from core.migrate import migrate
    from directory import api as directory

    domains.install()
    await migrate()
    if kind == "lists":
        await directory.fill_synthetic_directory(offers)
        largest = None
    else:
        from calendars.demo import load_demo_schedules
        from directory.demo import load_demo

        await load_demo()
        await load_demo_schedules()
        ids = await directory.active_service_ids()
        counts: dict[Any, int] = {}
        for brief in (await directory.service_briefs(ids)).values():
            counts[brief.organization_id] = counts.get(brief.organization_id, 0) + 1
        largest = str(max(counts, key=lambda key: counts[key])) if counts else None
    org = await directory.create_organization(directory.OrganizationCreate(name="Benchmark"))
    user = await create_user("bench@lists.example", "Bench", "bench-password-123",
                             [(org, "viewer")])
    return {"token": (await issue_token(user, "bench"))[1], "largest": largest}


def fill(kind: str, data_dir: Path, offers: int, app_dir: Path) -> dict[str, Any]:
    database = data_dir / f"{kind}.sqlite"
    marker = data_dir / f"{kind}.json"
    if marker.exists() and database.exists():
        seeded: dict[str, Any] = json.loads(marker.read_text())
        return seeded
    print(f"filling the {kind} database (once) ...", flush=True)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--fill", kind, "--offers", str(offers)],
        cwd=app_dir, env=_env(data_dir / kind, database, app_dir),
        capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    marker.write_text(done.stdout.strip().splitlines()[-1])
    print(f"  filled in {time.monotonic() - started:.0f} s", flush=True)
    result: dict[str, Any] = json.loads(marker.read_text())
    return result


async def _timed_requests(url: str, paths: list[str], headers: dict[str, str], clients: int,
                          count: int) -> list[float]:
    host, port = url.removeprefix("http://").split(":")
    timings: list[float] = []
    failures: list[int] = []

    async def one_client(offset: int) -> None:
        connection = Connection(host, int(port))
        try:
            for n in range(count):
                path = paths[(offset + n) % len(paths)]
                started = time.perf_counter()
                status, _body = await connection.request("GET", path, headers)
                timings.append(time.perf_counter() - started)
                if status != 200:
                    failures.append(status)
        finally:
            connection.close()

    await asyncio.gather(*(one_client(n) for n in range(clients)))
    if failures:
        raise RuntimeError(f"unexpected answers: {sorted(set(failures))}")
    return timings


def report(label: str, url: str, paths: list[str], headers: dict[str, str],
           requests: int) -> None:
    asyncio.run(_timed_requests(url, paths, headers, 1, 3))  # warm-up
    alone = asyncio.run(_timed_requests(url, paths, headers, 1, requests))
    started = time.perf_counter()
    crowd = asyncio.run(_timed_requests(url, paths, headers, 16, max(4, requests // 8)))
    rate = len(crowd) / (time.perf_counter() - started)
    print(f"{label:44} {_quantile(alone, 0.5) * 1000:8.1f} {_quantile(alone, 0.95) * 1000:8.1f}"
          f" {rate:10.1f}", flush=True)


def _first_ids(database: Path, count: int) -> list[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT id FROM service WHERE retired_at IS NULL ORDER BY name, id LIMIT 1 OFFSET ?",
            (count,)).fetchall()
    return [str(row[0]) for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "lotse-bench-lists")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    parser.add_argument("--drop-index", action="store_true")
    parser.add_argument("--fill", choices=["lists", "feeds"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill:
        print(json.dumps(asyncio.run(_fill(args.fill, args.offers))))
        return
    app_dir = args.app_dir.resolve()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    lists = fill("lists", args.data_dir, args.offers, app_dir)
    feeds = fill("feeds", args.data_dir, 0, app_dir)
    lists_db = args.data_dir / "lists.sqlite"
    for kind in ("lists", "feeds"):
        # The checkout served brings the databases to its own schema (e.g. adds its indexes).
        subprocess.run([sys.executable, "-m", "cli", "migrate"], cwd=app_dir, check=True,
                       env=_env(args.data_dir / kind, args.data_dir / f"{kind}.sqlite", app_dir),
                       capture_output=True)
    if args.drop_index:
        with sqlite3.connect(lists_db) as connection:
            connection.execute("DROP INDEX IF EXISTS service_live_by_name")
    print(f"\nserving {app_dir}{' without the list index' if args.drop_index else ''}")
    print(f"{'':44} {'p50 ms':>8} {'p95 ms':>8} {'req/s @16':>10}")
    port = free_port()
    with server(_uvicorn("app:create_app", port, "--factory"), app_dir,
                _env(args.data_dir / "lists", lists_db, app_dir), port, "/login") as url:
        token = {"Authorization": f"Bearer {lists['token']}"}
        deep = _first_ids(lists_db, 50_000)
        report("/api/services?per_page=50", url, ["/api/services?per_page=50"], token,
               args.requests)
        report("/api/services?per_page=50&page=1000", url,
               ["/api/services?per_page=50&page=1000"], token, args.requests)
        if deep and not args.drop_index:
            report("/api/services?per_page=50&after=<50,000th>", url,
                   [f"/api/services?per_page=50&after={deep[0]}"], token, args.requests)
        report("/hsds/services?per_page=50", url, ["/hsds/services?per_page=50"], token,
               args.requests)
    port = free_port()
    with server(_uvicorn("app:create_app", port, "--factory"), app_dir,
                _env(args.data_dir / "feeds", args.data_dir / "feeds.sqlite", app_dir), port,
                "/login") as url:
        if feeds["largest"]:
            report("largest provider's feed (.ics)", url,
                   [f"/calendars/organizations/{feeds['largest']}.ics"], {}, args.requests)


if __name__ == "__main__":
    main()
