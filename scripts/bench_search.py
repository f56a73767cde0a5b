#!/usr/bin/env python3
"""Search benchmark: 100,000 made-up offers, index build, latency in-process and over HTTP.

    .venv/bin/python scripts/bench_search.py [--offers 100000] [--data-dir DIR] [--reuse]
        [--app-dir /path/to/a/checkout]

Writes the offers into a fresh SQLite database in a temporary data folder (or DIR), rebuilds
the embedded index from it, then prints: build time, index size, search latency p50/p95/p99
in-process and over HTTP (1 and 16 concurrent clients) with requests per second, the same for
the most trivial endpoint (`/api/me`) as a ceiling, and the time from a capacity change to
its visibility in search. Searches are measured with the search cache off (every query worked
out anew) and on (the query mix repeats, so most facet counts, text queries and radius filters
are remembered ones). The server runs as `lotse serve` in a child process on 127.0.0.1.
`--reuse` measures again on a data folder an earlier run filled (writing 100,000 offers takes
minutes); `--app-dir` serves another checkout of Lotse on it (before and after a change).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.testing.servers import free_port  # noqa: E402

# A mix of what people type and pick on the search page (every request asks for all facets,
# as the page does).
QUERIES: list[dict[str, Any]] = [
    {"q": "deutschkurs"}, {"q": "deutschkurse"}, {"q": "Deutschkurs für Frauen"},
    {"q": "Migrationsberatng"}, {"q": "beratung"}, {"q": "Fluechtlinge"}, {"q": "Sprachcafe"},
    {"q": "Integr"}, {"q": "Schuldner Beratung"}, {"q": "kinderbetreuung"}, {"q": "nachhilfe"},
    {"q": "Hausaufgabenhilfe"}, {"q": "Bewerbungstrainig"}, {"q": "Frauenfrühstück"},
    {"q": "Nähwerkstatt"}, {"q": "Computerkurs Senioren"}, {"q": "Консультація"},
    {"q": "sprach"}, {"q": "Fahrrad"}, {"q": "Mietberatung Köln"},
    {"q": "", "category": "language-course", "available": "true"},
    {"q": "", "district": "Essen-Mitte"},
    {"q": "kurs", "language": "ar", "free": "true"},
    {"q": "beratung", "target_group": "refugees", "available": "true"},
    {"q": "", "open_day": "tue", "open_time": "10:00"},
    {"q": "deutsch", "age": "17"},
    {"q": "cafe", "barrier_free": "true"},
    {"q": "", "lat": "51.4275", "lon": "6.8825", "radius_km": "5"},
    {"q": "beratung", "lat": "51.4556", "lon": "7.0116", "radius_km": "10"},
    {"q": "deutschkurs", "lat": "51.2277", "lon": "6.7735", "sort": "distance"},
    {"q": "", "category": "counselling", "sort": "free_places"},
    {"q": "integrationskurs", "sort": "next_start"},
]
ALL_FACETS = {"facet": "all"}
MARKER_NAME = "Kapazitätsmessung Lotse"


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def line(label: str, samples: list[float], elapsed: float | None = None) -> str:
    p50, p95, p99 = percentiles(samples)
    rps = f"{len(samples) / elapsed:8.0f} req/s" if elapsed else ""
    return f"  {label:44} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms {rps}"


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


async def prepare(count: int) -> tuple[str, str, Any]:
    """Database with the offers, a viewer token and a provider token for the marker offer."""
    from rich.progress import Progress

    from accounts.credentials import issue_token
    from accounts.users import create_user
    from core.migrate import migrate
    from search import synthetic, synthetic_db
    from search.engine import OfferDocument

    await migrate()
    terms = await synthetic_db.write_taxonomy()
    marker = OfferDocument(
        id=synthetic_db.stable_id("service", "marker"),
        name=MARKER_NAME,
        organization_name="Messung",
        categories=["counselling"], free_places=1, maximum_places=50,
        capacity_confirmed=date(2026, 1, 5),
    )
    started = time.perf_counter()
    with Progress() as progress:
        bar = progress.add_task("Writing offers into the database", total=count)
        offers = synthetic.offers(count - 1)
        await synthetic_db.write_offers(
            [marker, *offers], terms, lambda n: progress.advance(bar, n)
        )
    print(f"  database written in {time.perf_counter() - started:.1f} s")
    from directory import api as directory

    brief = await directory.service_brief(marker.id)
    assert brief is not None
    viewer = await create_user("bench-viewer@lotse.example", "Bench", "bench-password-123",
                               [(brief.organization_id, "viewer")])
    provider = await create_user("bench-provider@lotse.example", "Bench Provider",
                                 "bench-password-123", [(brief.organization_id, "provider_staff")])
    return (await issue_token(viewer, "bench"))[1], (await issue_token(provider, "bench"))[1], (
        marker.id
    )


async def tokens_again() -> tuple[str, str, Any]:
    """New tokens for the viewer and provider an earlier run made, and its marker offer."""
    from accounts.credentials import issue_token
    from accounts.users import find_user_id
    from search import synthetic_db

    viewer = await find_user_id("bench-viewer@lotse.example")
    provider = await find_user_id("bench-provider@lotse.example")
    if viewer is None or provider is None:
        raise SystemExit("the data folder holds no benchmark users to reuse")
    return (await issue_token(viewer, "bench"))[1], (await issue_token(provider, "bench"))[1], (
        synthetic_db.stable_id("service", "marker"))


async def build_index(data_dir: Path) -> None:
    from rich.progress import Progress

    from search.documents import count_services
    from search.indexing import rebuild_all
    from search.runtime import close_engine, get_engine

    engine = get_engine()
    total = await count_services()
    started = time.perf_counter()
    with Progress() as progress:
        bar = progress.add_task("Building the index from the database", total=total)
        await rebuild_all(engine, lambda n: progress.advance(bar, n))
    build = time.perf_counter() - started
    close_engine()
    size = folder_size(data_dir / "search")
    print(f"  index build (reindex from database): {build:.1f} s, "
          f"index size {size / 1_000_000:.1f} MB")


def in_process(rounds: int) -> None:
    """Latency of the query mix, first with everything worked out anew (as for a query nobody
    asked since the index last changed), then with the search cache: the mix repeats its 32
    queries, so there nearly every facet count, text query and radius filter is remembered."""
    from search.embedded import EmbeddedEngine
    from search.params import search_query
    from settings import get_settings

    path = get_settings().data_dir / "search"
    queries = [search_query({k: [v] for k, v in {**q, **ALL_FACETS}.items()}) for q in QUERIES]
    plain = [search_query({k: [v] for k, v in q.items()}) for q in QUERIES]
    for cache, label in ((0, "search cache off"), (128, "search cache on, repeated queries")):
        engine = EmbeddedEngine(path, writable=False, cache=cache)
        for query in queries + plain:  # warm up
            engine.search(query)
        samples, without = [], []
        for n in range(rounds):
            started = time.perf_counter()
            engine.search(queries[n % len(queries)])
            samples.append(time.perf_counter() - started)
            started = time.perf_counter()
            engine.search(plain[n % len(plain)])
            without.append(time.perf_counter() - started)
        print(line(f"in-process search ({rounds} queries, {label})", samples))
        ratio = statistics.mean(samples) / statistics.mean(without)
        print(f"  {'':44} without facets p50 {percentiles(without)[0]:6.1f} ms, "
              f"all facets / none (mean) {ratio:4.2f}x")
        engine.close()


def start_server(
    data_dir: Path, port: int, app_dir: Path = ROOT, cache: bool = True
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LOTSE_DATA_DIR": str(data_dir), "LOTSE_PORT": str(port),
           "LOTSE_RUN_DISPATCHER": "true", "PYTHONPATH": str(app_dir),
           "LOTSE_SEARCH_CACHE": "128" if cache else "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=app_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    import httpx

    # A shared, busy machine may take minutes to start the application.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start")


def sequential(base: str, token: str, requests: list[tuple[str, dict[str, Any]]]) -> list[float]:
    import httpx

    samples = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=30) as client:
        for path, params in requests[:10]:  # warm up
            client.get(path, params=params)
        for path, params in requests:
            started = time.perf_counter()
            response = client.get(path, params=params)
            samples.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{path} {params}: {response.status_code} {response.text[:200]}")
    return samples


async def concurrent(base: str, token: str, requests: list[tuple[str, dict[str, Any]]],
                     clients: int) -> tuple[list[float], float]:
    import httpx

    samples: list[float] = []
    queue = list(reversed(requests))

    async def worker(client: httpx.AsyncClient) -> None:
        while queue:
            path, params = queue.pop()
            started = time.perf_counter()
            response = await client.get(path, params=params)
            samples.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code}")

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        return samples, time.perf_counter() - started


def search_over_http(base: str, token: str, count: int, label: str) -> None:
    searches = [("/api/search", {**QUERIES[n % len(QUERIES)], **ALL_FACETS})
                for n in range(count)]
    started = time.perf_counter()
    samples = sequential(base, token, searches)
    print(line(f"search API, 1 client ({label})", samples, time.perf_counter() - started))
    samples, elapsed = asyncio.run(concurrent(base, token, searches, 16))
    print(line(f"search API, 16 clients ({label})", samples, elapsed))


def over_http(base: str, token: str, count: int) -> None:
    trivial: list[tuple[str, dict[str, Any]]] = [("/api/me", {})] * count
    page = [("/search", QUERIES[n % len(QUERIES)]) for n in range(count // 2)]
    search_over_http(base, token, count, "search cache on, repeated queries")
    started = time.perf_counter()
    samples = sequential(base, token, trivial)
    print(line("trivial endpoint /api/me, 1 client", samples, time.perf_counter() - started))
    samples, elapsed = asyncio.run(concurrent(base, token, trivial, 16))
    print(line("trivial endpoint /api/me, 16 clients", samples, elapsed))
    started = time.perf_counter()
    samples = sequential(base, token, page)
    print(line("search page (full HTML), 1 client", samples, time.perf_counter() - started))


def visibility(base: str, viewer: str, provider: str, marker: Any, rounds: int) -> None:
    """Free places changed through the directory API (the one writer of capacity), timed until
    search shows them."""
    import httpx

    api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {provider}"})
    reader = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {viewer}"})
    samples = []
    for n in range(rounds):
        places = 2 + n
        started = time.perf_counter()
        response = api.patch(f"/api/services/{marker}/capacity", json={"available": places})
        assert response.status_code == 200, response.text
        while True:
            hits = reader.get("/api/search", params={"q": MARKER_NAME}).json()["hits"]
            if hits and hits[0]["document"]["free_places"] == places:
                break
            if time.perf_counter() - started > 10:
                raise SystemExit("a capacity change did not reach search within 10 s")
            time.sleep(0.005)
        samples.append(time.perf_counter() - started)
        time.sleep(0.2)
    print(line("capacity change -> visible in search (directory API)", samples))
    print(f"  {'':44} max {max(samples) * 1000:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=1000, help="per HTTP measurement")
    parser.add_argument("--reuse", action="store_true",
                        help="measure on the offers and index an earlier run left in --data-dir")
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    parser.add_argument("--in-process", type=int, default=2000, help="queries in-process")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="lotse-bench-"))
    if args.reuse and not (data_dir / "search").exists():
        raise SystemExit(f"{data_dir} holds no earlier run to reuse")
    if not args.reuse and data_dir.exists() and any(data_dir.iterdir()):
        raise SystemExit(f"{data_dir} is not empty: give a new or empty folder, or --reuse")
    os.environ.update({"LOTSE_DATA_DIR": str(data_dir), "PICCOLO_CONF": "piccolo_conf",
                       "LOTSE_SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnop"})
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("SEARCH_URL", None)
    print(f"Lotse search benchmark: {args.offers} offers, data in {data_dir}, "
          f"{os.cpu_count()} cores")
    if args.reuse:
        viewer, provider, marker = asyncio.run(tokens_again())
    else:
        viewer, provider, marker = asyncio.run(prepare(args.offers))
        asyncio.run(build_index(data_dir))
    in_process(args.in_process)
    port = free_port()
    print(f"serving {args.app_dir.resolve()}", flush=True)
    # First a server that works every query out anew: what a query costs the first time after
    # the index changed (a checkout without the search cache ignores the setting).
    server = start_server(data_dir, port, args.app_dir.resolve(), cache=False)
    try:
        search_over_http(f"http://127.0.0.1:{port}", viewer, args.requests, "search cache off")
    finally:
        server.terminate()
        server.wait(timeout=30)
    server = start_server(data_dir, port, args.app_dir.resolve())
    try:
        base = f"http://127.0.0.1:{port}"
        over_http(base, viewer, args.requests)
        visibility(base, viewer, provider, marker, 20)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if args.data_dir is None:
        shutil.rmtree(data_dir, ignore_errors=True)
    print("Targets at 100,000 offers: search API p95 with 1 client <= 10 ms; with 16 clients "
          ">= 50 % of /api/me's req/s; all facets <= 1.5x a plain query; a change visible in "
          "search within 200 ms p95.")


if __name__ == "__main__":
    main()
