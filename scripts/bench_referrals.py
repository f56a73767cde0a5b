#!/usr/bin/env python3
"""Referrals sent and accepted per second, over HTTP, against a real server process.

Each of N concurrent clients repeats: create a draft (case manager), send it, accept it
(provider). Prints throughput, latency and the server's memory, for SQLite and PostgreSQL.

    .venv/bin/python scripts/bench_referrals.py [--clients 16] [--seconds 30]
        [--engine sqlite|postgres|both] [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")

import httpx  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from referrals.tests.loadkit import (  # noqa: E402
    Target,
    postgres_target,
    prepare,
    serve,
    sqlite_target,
)

console = Console()


@dataclass
class Result:
    engine: str
    pairs: int
    errors: int
    seconds: float
    latencies: list[float]
    rss_start_kib: int
    rss_end_kib: int
    peak_kib: int

    @property
    def rate(self) -> float:
        return self.pairs / self.seconds if self.seconds else 0.0


async def _worker(
    url: str, seeded: dict[str, Any], stop_at: float, latencies: list[float], errors: list[int]
) -> int:
    done = 0
    case = {"Authorization": f"Bearer {seeded['case_token']}"}
    provider = {"Authorization": f"Bearer {seeded['provider_token']}"}
    body = {"client_id": seeded["client_id"], "service_id": seeded["service_id"],
            "need_category": "language_course", "need_text": "Deutschkurs",
            "shared_categories": ["identity"]}
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        while time.monotonic() < stop_at:
            started = time.monotonic()
            created = await http.post("/api/referrals", json=body, headers=case)
            if created.status_code != 201:
                errors.append(created.status_code)
                continue
            referral_id = created.json()["id"]
            sent = await http.post(f"/api/referrals/{referral_id}/transitions",
                                   json={"to": "sent"}, headers=case)
            accepted = await http.post(f"/api/referrals/{referral_id}/transitions",
                                       json={"to": "accepted"}, headers=provider)
            if sent.status_code != 200 or accepted.status_code != 200:
                errors.append(accepted.status_code)
                continue
            latencies.append(time.monotonic() - started)
            done += 1
    return done


async def _load(url: str, seeded: dict[str, Any], clients: int, seconds: float) -> tuple[
    int, int, float, list[float]
]:
    latencies: list[float] = []
    errors: list[int] = []
    started = time.monotonic()
    stop_at = started + seconds
    counts = await asyncio.gather(
        *(_worker(url, seeded, stop_at, latencies, errors) for _ in range(clients))
    )
    return sum(counts), len(errors), time.monotonic() - started, latencies


def run_one(manager: AbstractContextManager[Target], clients: int, seconds: float) -> Result:
    with manager as target:
        console.print(f"[bold]{target.name}[/bold]: migrating and seeding ...")
        seeded = prepare(target, referrals=0, places=10_000_000)
        with serve(target) as server:
            start_memory = server.memory_kib()
            # A short warm-up, so that start-up work does not count.
            asyncio.run(_load(server.url, seeded, 2, 2.0))
            console.print(f"  {clients} clients for {seconds:.0f} s ...")
            pairs, errors, elapsed, latencies = asyncio.run(
                _load(server.url, seeded, clients, seconds)
            )
            end_memory = server.memory_kib()
    return Result(target.name, pairs, errors, elapsed, latencies,
                  start_memory.get("VmRSS", 0), end_memory.get("VmRSS", 0),
                  end_memory.get("VmHWM", 0))


def _ms(values: list[float], quantile: float) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    index = min(len(ordered) - 1, int(quantile * len(ordered)))
    return f"{ordered[index] * 1000:.0f}"


def report(results: list[Result], clients: int) -> None:
    table = Table(title=f"Referrals sent + accepted over HTTP, {clients} concurrent clients")
    for column in ("engine", "pairs", "errors", "pairs/s", "mean ms", "p50 ms", "p95 ms",
                   "RSS start MiB", "RSS end MiB", "peak RSS MiB"):
        table.add_column(column, justify="right")
    for r in results:
        mean = f"{statistics.fmean(r.latencies) * 1000:.0f}" if r.latencies else "–"
        table.add_row(
            r.engine, str(r.pairs), str(r.errors), f"{r.rate:.1f}", mean,
            _ms(r.latencies, 0.5), _ms(r.latencies, 0.95),
            f"{r.rss_start_kib / 1024:.0f}", f"{r.rss_end_kib / 1024:.0f}",
            f"{r.peak_kib / 1024:.0f}",
        )
    console.print(table)
    console.print("One pair = 3 requests (create draft, send, accept); each answer includes the "
                  "referral as the caller sees it, and every read is written to the audit log.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("LOTSE_TEST_POSTGRES",
                                               "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    results = []
    if args.engine in {"sqlite", "both"}:
        results.append(run_one(sqlite_target(), args.clients, args.seconds))
    if args.engine in {"postgres", "both"}:
        results.append(run_one(postgres_target(args.postgres_url), args.clients, args.seconds))
    report(results, args.clients)


if __name__ == "__main__":
    main()
