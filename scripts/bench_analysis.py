#!/usr/bin/env python3
"""How long each figure of the analysis and the PDF report take for one year of a large network.

Generates a synthetic year (offers, clients, referrals with their transitions, searches
without a place, daily capacity snapshots) in a fresh database, then times every figure of the
network view for the whole year, one district, and the committee PDF.

    .venv/bin/python scripts/bench_analysis.py [--engine sqlite|postgres|both]
        [--offers 100000] [--referrals 500000] [--reuse] [--tables]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]

Defaults: PostgreSQL at state size (100,000 offers, 500,000 referrals) and SQLite at city size
(3,000 offers, 10,000 referrals). Targets: a figure <= 2 s (PostgreSQL) / 300 ms (SQLite), the
PDF <= 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
YEAR = 2025
NEEDS = ("language_course", "counselling", "integration_course", "work", "education",
         "childcare", "housing", "health", "legal", "leisure", "other")
LANGUAGES = ("ar", "tr", "uk", "fa", "ru", "en", "ku", "ti", "so", "ro", "bg", "de")
CATEGORIES = ("sprache", "migrationsberatung", "asyl-aufenthalt", "arbeit-ausbildung",
              "schule-bildung", "kinder-familie", "gesundheit", "wohnen", "geld-schulden",
              "frauen", "jugend", "begegnung-ehrenamt", "behoerden")
DECLINE = ("no_capacity", "no_capacity", "no_capacity", "not_eligible", "out_of_area", "other")
Rows = list[tuple[Any, ...]]


def _moment(rng: random.Random) -> datetime:
    start = datetime(YEAR, 1, 1, 7, tzinfo=UTC)
    return start + timedelta(days=rng.randrange(365), minutes=rng.randrange(11 * 60))


def generate(offers: int, referrals: int, seed: int = 7) -> dict[str, tuple[list[str], Rows]]:
    """Every row of the synthetic year, by table: (columns, rows)."""
    from directory.taxonomy_data import term_id

    rng = random.Random(seed)
    now = datetime.now(UTC)

    def uuid4() -> UUID:  # made from the seeded generator: quicker than os.urandom
        return UUID(int=rng.getrandbits(128), version=4)

    orgs = [uuid4() for _ in range(max(20, offers // 20))]
    districts = [f"Bezirk {i:03d}" for i in range(max(9, offers // 200))]
    tables: dict[str, tuple[list[str], Rows]] = {
        "organization": (["id", "name", "kind", "description"],
                         [(o, f"Träger {i}", "welfare", "") for i, o in enumerate(orgs)]),
        "location": (["id", "organization", "name", "district", "latitude", "longitude"], []),
        "service": (["id", "organization", "name", "status"], []),
        "service_at_location": (["id", "service", "location", "description"], []),
        "service_term": (["id", "service", "term"], []),
        "service_language": (["id", "service", "code", "note"], []),
        "capacity": (["id", "service", "unit", "maximum", "available", "held", "waitlist_open",
                      "description", "updated", "updated_by_name"], []),
        "client": (["id", "organization", "pseudonym", "sealed_data", "created_by"], []),
        "referral": (["id", "client", "service", "sender_organization",
                      "recipient_organization", "sender_user", "state", "need_category",
                      "district", "languages", "interpreter_needed", "sent_at", "answer_due",
                      "answered_at", "waitlisted_at", "closed_at"], []),
        "referral_transition": (["id", "referral", "from_state", "to_state", "reason", "note",
                                 "at"], []),
        "no_place_search": (["id", "day", "category", "district", "searches"], []),
        "capacity_snapshot": (["id", "key", "day", "category", "district", "offers",
                               "with_capacity", "free_places", "stale"], []),
    }
    services: list[tuple[UUID, UUID]] = []
    for i in range(offers):
        org, service, place = rng.choice(orgs), uuid4(), uuid4()
        services.append((service, org))
        tables["location"][1].append((place, org, f"Ort {i}", rng.choice(districts),
                                      51.3 + rng.random() / 5, 6.8 + rng.random() / 5))
        tables["service"][1].append((service, org, f"Angebot {i}", "active"))
        tables["service_at_location"][1].append((uuid4(), service, place, ""))
        tables["service_term"][1].append((uuid4(), service, term_id(rng.choice(CATEGORIES))))
        for code in rng.sample(LANGUAGES, rng.randint(1, 3)):
            tables["service_language"][1].append((uuid4(), service, code, ""))
        tables["capacity"][1].append((uuid4(), service, "Plätze", 20, rng.randint(0, 10), 0,
                                      rng.random() < 0.5, "", now - timedelta(
                                          days=rng.randrange(200)), ""))
    clients = [uuid4() for _ in range(max(10, referrals // 2))]
    client_org = {c: rng.choice(orgs) for c in clients}
    tables["client"][1].extend((c, client_org[c], "x", "", uuid4()) for c in clients)
    transitions = tables["referral_transition"][1]
    for _ in range(referrals):
        referral, client = uuid4(), rng.choice(clients)
        service, recipient = rng.choice(services)
        sent = _moment(rng)
        steps: list[tuple[str, timedelta, str]] = []
        path = rng.random()
        answer = timedelta(hours=rng.expovariate(1 / 30))
        if path < 0.35:
            steps = [("accepted", answer, ""), ("in_progress", answer + timedelta(days=7), ""),
                     ("completed" if rng.random() < 0.9 else "failed",
                      answer + timedelta(days=40), "")]
        elif path < 0.5:
            wait = answer + timedelta(days=rng.expovariate(1 / 20))
            steps = [("waitlisted", answer, ""), ("accepted", wait, ""),
                     ("completed", wait + timedelta(days=30), "")]
        elif path < 0.65:
            steps = [("declined", answer, rng.choice(DECLINE))]
        elif path < 0.75:
            steps = [("cancelled", timedelta(days=8), "answer_expired")]
        elif path < 0.85:
            steps = [("cancelled", answer, rng.choice(("referred_elsewhere", "other")))]
        else:
            steps = [("accepted", answer, "")]
        fields: dict[str, Any] = {"answered_at": None, "waitlisted_at": None, "closed_at": None}
        state, previous = "sent", "draft"
        transitions.append((uuid4(), referral, "draft", "sent", "", "", sent))
        previous = "sent"
        for to_state, after, reason in steps:
            when = sent + after
            if previous == "sent" and to_state != "cancelled":
                fields["answered_at"] = when
            if to_state == "waitlisted":
                fields["waitlisted_at"] = when
            if to_state in {"declined", "completed", "failed", "cancelled"}:
                fields["closed_at"] = when
            transitions.append((uuid4(), referral, previous, to_state, reason, "", when))
            previous = state = to_state
        tables["referral"][1].append((
            referral, client, service, client_org[client], recipient, uuid4(), state,
            rng.choice(NEEDS), rng.choice(districts),
            json.dumps(rng.sample(LANGUAGES, rng.randint(1, 2))), rng.random() < 0.3, sent,
            (sent + timedelta(days=7)).date(), fields["answered_at"], fields["waitlisted_at"],
            fields["closed_at"]))
    searches = tables["no_place_search"][1]
    snapshots = tables["capacity_snapshot"][1]
    for day_index in range(365):
        day = date(YEAR, 1, 1) + timedelta(days=day_index)
        for _ in range(max(20, offers // 500)):
            searches.append((uuid4(), day, rng.choice(CATEGORIES), rng.choice(districts),
                             rng.randint(1, 6)))
        for category in CATEGORIES:
            for district in districts[:60]:
                snapshots.append((uuid4(), f"{day}|{category}|{district}", day, category,
                                  district, 10, 9, rng.randint(0, 40), rng.randint(0, 3)))
    return tables


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return str(value.astimezone(UTC))
    if isinstance(value, date):
        return value.isoformat()
    return value


async def load(tables: dict[str, tuple[list[str], Rows]], url: str) -> None:
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        for table, (columns, rows) in tables.items():
            marks = ", ".join("?" for _ in columns)
            connection.executemany(
                f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})',
                [tuple(_sqlite_value(v) for v in row) for row in rows])
        connection.commit()
        connection.close()
        return
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        for table, (columns, rows) in tables.items():
            await connection.copy_records_to_table(table, records=rows, columns=columns)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def measure(url: str) -> list[tuple[str, float, float]]:
    """(figure, wall seconds, CPU seconds of this process: the database's work is not in it)."""
    from analysis import catalog, exports
    from analysis.context import Ask
    from analysis.pages import REPORT_TEXTS
    from analysis.periods import months_between
    from core.i18n import translations
    from referrals import api as referrals

    de = translations("de").gettext
    ask = Ask(period=months_between(date(YEAR, 1, 1), date(YEAR, 12, 1)), lang="de",
              gettext=de)
    one = Ask(period=ask.period, lang="de", gettext=de, district="Bezirk 003")
    # What the provider with the most referrals sees of its own (read from the referral tables).
    own = Ask(period=ask.period, lang="de", gettext=de,
              scope=referrals.FigureScope(recipients=frozenset({await busiest_recipient()})))
    timings: list[tuple[str, float, float]] = []
    for key, build in catalog.FIGURES.items():
        for label, question in ((key, ask), (f"{key} (one district)", one),
                                (f"{key} (largest provider's own)", own)):
            fresh = replace(question, memo={})  # each figure on its own, nothing cached
            started, cpu = time.perf_counter(), time.process_time()
            await build(fresh)
            timings.append((label, time.perf_counter() - started, time.process_time() - cpu))
    started, cpu = time.perf_counter(), time.process_time()
    figures = await catalog.build(ask)
    body = exports.pdf_bytes(figures, ask.period.label, {k: de(v) for k, v in
                                                          REPORT_TEXTS.items()})
    timings.append((f"PDF report ({len(body) // 1024} KiB)", time.perf_counter() - started,
                    time.process_time() - cpu))
    return timings


async def busiest_recipient() -> UUID:
    from piccolo.querystring import QueryString

    from core.db import engine

    rows = await engine().run_querystring(QueryString(
        "SELECT recipient_organization AS org FROM referral "
        "GROUP BY recipient_organization ORDER BY count(*) DESC LIMIT 1"))
    found = rows[0]["org"]
    return found if isinstance(found, UUID) else UUID(str(found))


def load_average() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


async def rebuild_counts(engine: str) -> None:
    """Every month's counts from the tables (as `lotse referrals figures`), then one month again
    (what the outbox consumer does for a batch of transitions of the month)."""
    from referrals import monthly

    started = time.perf_counter()
    written = await monthly.rebuild()
    whole = time.perf_counter() - started
    months = sorted(written)
    busiest = max(months, key=lambda m: written[m])
    started = time.perf_counter()
    await monthly.rebuild_month(busiest)
    one = time.perf_counter() - started
    print(f"{engine}: monthly counts rebuilt: {len(months)} months, "
          f"{sum(written.values()):,} rows in {whole:.1f} s; one month ({busiest}, "
          f"{written[busiest]:,} rows) in {one * 1000:.0f} ms (load average {load_average()})",
          flush=True)


def run_engine(engine: str, offers: int, referrals: int, postgres: str,
               reuse: bool = False, tables: bool = False) -> None:
    """Runs in a process of its own: the database is chosen before the app is imported."""
    name = "lotse_bench_analysis"
    url = postgres.rsplit("/", 1)[0] + "/" + name
    admin_url = postgres
    if engine == "postgres" and not reuse:

        async def fresh() -> None:
            import asyncpg

            connection = await asyncpg.connect(admin_url)
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.execute(f'CREATE DATABASE "{name}"')
            await connection.close()

        asyncio.run(fresh())
    elif engine == "sqlite":
        folder = tempfile.mkdtemp(prefix="lotse-bench-analysis-")
        url = f"sqlite:///{folder}/bench.sqlite"
        os.environ["LOTSE_DATA_DIR"] = folder
    os.environ["DATABASE_URL"] = url
    os.environ["PICCOLO_CONF"] = "piccolo_conf"
    os.environ.setdefault("LOTSE_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456789")
    import domains
    from core.migrate import migrate
    from directory.taxonomy_data import ensure_taxonomies

    domains.install()

    async def report(label: str) -> None:
        from referrals import figure_reads

        for reading, from_counts in (("monthly counts", True), ("referral tables", False)):
            if not from_counts and not tables:
                continue
            figure_reads.READ_COUNTS = from_counts
            print(f"\n{engine}: {label}, figures from the {reading}")
            print(f"  {'':<32} {'wall':>9}    {'CPU here':>9}   (load average {load_average()})")
            for name, seconds, cpu in await measure(url):
                print(f"  {name:<32} {seconds * 1000:9.0f} ms {cpu * 1000:9.0f} ms", flush=True)
        figure_reads.READ_COUNTS = True

    async def main() -> None:
        await migrate()
        if reuse:
            from referrals import monthly

            # The counts the generating run built stay; a database from before them gets them.
            if not await monthly.stored():
                await rebuild_counts(engine)
            await report("the database of the last run")
            return
        await ensure_taxonomies()
        started = time.perf_counter()
        data = generate(offers, referrals)
        counts = {t: len(rows) for t, (_c, rows) in data.items()}
        await load(data, url)
        del data
        print(f"\n{engine}: {offers:,} offers, {counts['referral']:,} referrals, "
              f"{counts['referral_transition']:,} transitions, {counts['client']:,} clients, "
              f"{counts['capacity_snapshot']:,} snapshot rows, "
              f"{counts['no_place_search']:,} search rows "
              f"(generated and loaded in {time.perf_counter() - started:.0f} s)", flush=True)
        await rebuild_counts(engine)
        await report(f"{offers:,} offers, {counts['referral']:,} referrals")

    asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--offers", type=int, default=None)
    parser.add_argument("--referrals", type=int, default=None)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--reuse", action="store_true",
                        help="measure again on the PostgreSQL data of the last run")
    parser.add_argument("--tables", action="store_true",
                        help="measure the figures from the referral tables as well (as before "
                             "the monthly counts)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        run_engine(args.engine, args.offers, args.referrals, args.postgres_url, args.reuse,
                   args.tables)
        return
    sizes = {"postgres": (100_000, 500_000), "sqlite": (3_000, 10_000)}
    for engine in (("sqlite", "postgres") if args.engine == "both" else (args.engine,)):
        offers, referrals = sizes[engine]
        subprocess.run([sys.executable, __file__, "--inner", "--engine", engine,
                        "--offers", str(args.offers or offers),
                        "--referrals", str(args.referrals or referrals),
                        "--postgres-url", args.postgres_url,
                        *(["--reuse"] if args.reuse else []),
                        *(["--tables"] if args.tables else [])], check=True)


if __name__ == "__main__":
    main()
