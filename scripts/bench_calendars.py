"""How long the calendar computations take on the demo network (and on a larger synthetic one).

Prints the time of the organisation feed of the largest demo provider and of "open at" (the
weekly open intervals the search index uses), opening labels and next course starts for all
demo offers. Runs on a fresh SQLite database in a temporary folder unless DATABASE_URL is set.

    .venv/bin/python scripts/bench_calendars.py                # the demo network
    .venv/bin/python scripts/bench_calendars.py --offers 3000  # topped up to city size
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

T = TypeVar("T")

NAMES = (
    "Integrationskurs",
    "Migrationsberatung",
    "Sprachcafé",
    "Schuldnerberatung",
    "Deutschkurs B1",
    "Elterntreff",
    "Sozialberatung",
    "Alphabetisierungskurs",
)


def prepare_environment(keep: bool) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="lotse-bench-")) if not keep else ROOT / "var"
    os.environ.setdefault("LOTSE_DATA_DIR", str(folder))
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    os.environ["LOTSE_RUN_DISPATCHER"] = "false"
    os.environ.setdefault("LOTSE_DB_POOL", "false")
    return folder


async def timed(label: str, action: Callable[[], Awaitable[T]], runs: int) -> tuple[T, float]:
    durations = []
    result: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        result = await action()
        durations.append(time.perf_counter() - started)
    return result, statistics.median(durations)


async def load_network(offers: int) -> str:
    import uuid

    from directory import api as directory
    from directory.demo import load_demo as load_directory_demo

    await load_directory_demo()
    source = "the demo network"
    missing = max(0, offers - await directory.count_offers())
    if missing:
        providers = [(uuid.uuid4(), f"Träger {n:03d}") for n in range(max(1, missing // 10))]
        seeds = [
            directory.SeedOffer(
                id=uuid.uuid4(),
                organization_id=providers[n % len(providers)][0],
                organization_name=providers[n % len(providers)][1],
                name=f"{NAMES[n % len(NAMES)]} {n}",
            )
            for n in range(missing)
        ]
        for start in range(0, len(seeds), 500):
            await directory.seed_offers(seeds[start : start + 500])
        source += f" + {missing} synthetic offers"
    return source


async def largest_provider(service_ids: list[Any]) -> tuple[Any, str, int]:
    from directory import api as directory

    briefs = list((await directory.service_briefs(service_ids)).values())
    counts: dict[Any, int] = {}
    for brief in briefs:
        counts[brief.organization_id] = counts.get(brief.organization_id, 0) + 1
    organization_id = max(counts, key=lambda key: counts[key])
    name = next(b.organization_name for b in briefs if b.organization_id == organization_id)
    return organization_id, name, counts[organization_id]


async def main(offers: int, runs: int) -> None:
    from calendars import api, feeds
    from calendars.demo import load_demo_schedules
    from core.migrate import migrate
    from core.time import berlin_today
    from directory import api as directory
    from domains import install

    install()  # the demo publishes events; each needs its consumers' rows
    await migrate()
    source = await load_network(offers)
    started = time.perf_counter()
    summary = await load_demo_schedules()
    demo_seconds = time.perf_counter() - started
    service_ids = await directory.active_service_ids()
    organization_id, name, provider_offers = await largest_provider(service_ids)
    today = berlin_today()

    def translate(text: str) -> str:
        return text

    cold_feed, cold = await timed(
        "feed", lambda: feeds.organization_feed(organization_id, today, translate), 1
    )
    feed, warm = await timed(
        "feed", lambda: feeds.organization_feed(organization_id, today, translate), runs
    )
    assert feed is not None and cold_feed is not None
    events = feed.count(b"BEGIN:VEVENT")
    intervals, open_at = await timed(
        "open", lambda: api.open_intervals_for_services(service_ids), runs
    )
    _labels, labels_time = await timed("labels", lambda: api.opening_labels(service_ids), runs)
    _starts, starts_time = await timed("courses", lambda: api.next_course_starts(service_ids), runs)
    open_now = sum(1 for spans in intervals.values() if spans)
    print(
        f"Network: {source}: {len(service_ids)} offers; schedules loaded in "
        f"{demo_seconds:.2f} s ({summary.rules} rules, {summary.exceptions} closures, "
        f"{summary.slots} slots)"
    )
    database = os.environ.get("DATABASE_URL") or "SQLite in " + os.environ["LOTSE_DATA_DIR"]
    print(f"Database: {database}")
    print(f"Largest provider: {name} with {provider_offers} offers")
    print(
        f"  organisation feed: {cold * 1000:8.1f} ms first, {warm * 1000:8.1f} ms median of "
        f"{runs} ({len(feed) / 1024:.0f} KiB, {events} events)"
    )
    print(f"All {len(service_ids)} offers (median of {runs}):")
    print(
        f"  open at (weekly intervals for the index): {open_at * 1000:8.1f} ms "
        f"({open_at / len(service_ids) * 1e6:.0f} µs per offer; {open_now} with hours)"
    )
    print(f"  opening labels (open now / next opening): {labels_time * 1000:8.1f} ms")
    print(f"  next course starts:                       {starts_time * 1000:8.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--offers",
        type=int,
        default=0,
        help="top the network up to this many offers with synthetic ones",
    )
    parser.add_argument("--runs", type=int, default=5, help="repetitions (median is printed)")
    parser.add_argument(
        "--keep", action="store_true", help="use ./var instead of a temporary folder"
    )
    arguments = parser.parse_args()
    prepare_environment(arguments.keep)
    asyncio.run(main(arguments.offers, arguments.runs))
