#!/usr/bin/env python3
"""How long a large .ics import takes, and whether other requests wait for it.

Builds a calendar of about 500 KB (weekly rules with closures, single dates, rules that must be
expanded, a foreign time zone), times `import_calendar` in-process, then uploads it to a real
server process on loopback (SQLite in a temporary folder) while a second client asks /api/me
again and again, and prints how long /api/me took before and during the import.

    .venv/bin/python scripts/bench_ics_import.py [--kilobytes 500]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")

import httpx  # noqa: E402

from referrals.tests.loadkit import prepare, serve, sqlite_target  # noqa: E402

DAYS = ("MO", "TU", "WE", "TH", "FR")
TEXT = "Beratung ohne Termin, bitte Unterlagen und Ausweis mitbringen. " * 7


def build_calendar(kilobytes: int, today: date) -> bytes:
    """Events until the file reaches the size; dates start next month."""
    first = today.replace(day=1) + timedelta(days=32)
    first = first.replace(day=1)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Lotse//Benchmark//DE"]
    size, index = 0, 0
    while size < kilobytes * 1000:
        day = first + timedelta(days=index % 300)
        stamp = day.strftime("%Y%m%d")
        event = [
            "BEGIN:VEVENT",
            f"UID:bench-{index}@lotse.example",
            "DTSTAMP:20261101T000000Z",
            f"SUMMARY:Sprechstunde {index}",
            f"DESCRIPTION:{TEXT}",
        ]
        kind = index % 20
        if kind < 14:  # a weekly rule with two closures
            later = (day + timedelta(days=14)).strftime("%Y%m%d")
            much_later = (day + timedelta(days=35)).strftime("%Y%m%d")
            event += [
                f"DTSTART;TZID=Europe/Berlin:{stamp}T090000",
                f"DTEND;TZID=Europe/Berlin:{stamp}T120000",
                f"RRULE:FREQ=WEEKLY;BYDAY={DAYS[index % 5]};UNTIL={stamp[:4]}1231T000000Z",
                f"EXDATE;TZID=Europe/Berlin:{later}T090000",
                f"EXDATE;TZID=Europe/Berlin:{much_later}T090000",
            ]
        elif kind < 19:  # a single date
            event += [
                f"DTSTART;TZID=Europe/Berlin:{stamp}T140000",
                f"DTEND;TZID=Europe/Berlin:{stamp}T160000",
            ]
        elif index % 40 == 19:  # expanded: the last weekday of some months
            event += [
                f"DTSTART;TZID=Europe/Berlin:{stamp}T170000",
                f"DTEND;TZID=Europe/Berlin:{stamp}T180000",
                "RRULE:FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            ]
        else:  # expanded: a foreign time zone
            event += [
                f"DTSTART;TZID=America/Chicago:{stamp}T090000",
                f"DTEND;TZID=America/Chicago:{stamp}T100000",
                "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=8",
            ]
        event.append("END:VEVENT")
        text = "\r\n".join(event) + "\r\n"
        lines.append(text.rstrip("\r\n"))
        size += len(text.encode())
        index += 1
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def in_process(data: bytes, today: date) -> tuple[float, int, int]:
    from calendars.ics_import import ImportLimits, import_calendar

    durations = []
    result: Any = None
    for _ in range(3):
        started = time.perf_counter()
        result = import_calendar(data, today, limits=ImportLimits(max_bytes=len(data) + 1))
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), len(result.rules), len(result.exceptions)


async def ask_me(client: httpx.AsyncClient, headers: dict[str, str], until: asyncio.Event,
                 latencies: list[float], least: int) -> None:
    while not until.is_set() or len(latencies) < least:
        started = time.perf_counter()
        response = await client.get("/api/me", headers=headers)
        response.raise_for_status()
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0.02)


async def over_http(url: str, seeded: dict[str, Any], data: bytes) -> dict[str, Any]:
    me = {"Authorization": f"Bearer {seeded['case_token']}"}
    provider = {"Authorization": f"Bearer {seeded['provider_token']}",
                "Content-Type": "text/calendar"}
    async with httpx.AsyncClient(base_url=url, timeout=300) as client:
        quiet: list[float] = []
        done = asyncio.Event()
        done.set()
        await ask_me(client, me, done, quiet, 50)
        during: list[float] = []
        done = asyncio.Event()
        asker = asyncio.create_task(ask_me(client, me, done, during, 1))
        started = time.perf_counter()
        response = await client.post(
            f"/api/calendars/services/{seeded['service_id']}/import", content=data,
            headers=provider,
        )
        took = time.perf_counter() - started
        done.set()
        await asker
    return {"status": response.status_code, "seconds": took, "quiet": quiet, "during": during,
            "report": response.json()}


def ms(values: list[float], quantile: float) -> str:
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] * 1000:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kilobytes", type=int, default=500)
    args = parser.parse_args()
    today = date.today()
    data = build_calendar(args.kilobytes, today)
    print(f"calendar: {len(data) / 1000:.0f} KB, {data.count(b'BEGIN:VEVENT')} events")
    seconds, rules, exceptions = in_process(data, today)
    print(f"in-process import_calendar: {seconds:.2f} s (median of 3), "
          f"{rules} rules and single dates, {exceptions} closures and extra dates")
    with sqlite_target() as target:
        seeded = prepare(target, referrals=0, places=10)
        # The server's bound must admit the file; the default is 2 MB.
        target.env["LOTSE_ICS_MAX_BYTES"] = str(max(2_000_000, len(data) + 1))
        with serve(target) as server:
            figures = asyncio.run(over_http(server.url, seeded, data))
    report = figures["report"]
    print(f"HTTP import: status {figures['status']} in {figures['seconds']:.2f} s "
          f"({report.get('created', '-')} created, {len(report.get('warnings', []))} notes)")
    for name in ("quiet", "during"):
        values = figures[name]
        print(f"/api/me {name:>6}: {len(values)} requests, p50 {ms(values, 0.5)} ms, "
              f"p95 {ms(values, 0.95)} ms, max {max(values) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
