#!/usr/bin/env python3
"""The cost of one request: a bare Litestar "hello" app beside Lotse, under the same uvicorn
settings, in one run; then create, send and accept of a referral relative to `/api/me`.

    .venv/bin/python scripts/bench_requests.py [--engine sqlite|postgres|both] [--seconds 5]
        [--clients 16] [--app-dir /path/to/a/checkout] [--no-dispatcher] [--workers 1,2]

Throughput with many clients is measured by `wrk` (Debian package `wrk`); latencies and the
referral steps by a small keep-alive HTTP/1.1 client in this script, the same for every figure
it compares. `--app-dir` measures another checkout of Lotse (e.g. an older commit) with this
script. The machine may be shared: read the ratios, they are measured side by side.
`--workers 1,2` serves Lotse with each number of processes in turn (`lotse serve --workers N`)
and prints the throughput of `/api/me` and search relative to the first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
HELLO = '''
from litestar import Litestar, get

@get("/")
async def hello() -> dict[str, str]:
    return {"hello": "world"}

app = Litestar([hello])
'''
# wrk prints its own summary; this hook adds one JSON line with the figures compared here.
WRK_REPORT = '''
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %d, "seconds": %f, "errors": %d, "non2xx": %d, '
    .. '"p50_us": %d, "p95_us": %d}\\n', summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.errors.status,
    latency:percentile(50), latency:percentile(95)))
end
'''


class Connection:
    """One keep-alive HTTP/1.1 connection: little overhead, so small costs stay visible."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str],
                      body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        chunked = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value:
                chunked = True
        if not chunked:
            return status, await self.reader.readexactly(length)
        data = b""
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
            data += await self.reader.readexactly(size + 2)
            if size == 0:
                return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def wrk(url: str, headers: dict[str, str], clients: int, seconds: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    command = ["wrk", "-t", str(min(clients, 2)), "-c", str(clients),
               "-d", f"{max(1, round(seconds))}s", "-s", script.name, "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    os.unlink(script.name)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["rate"] = figures["requests"] / figures["seconds"]
    return figures


def _uvicorn(app: str, port: int, *extra: str) -> list[str]:
    # The same settings for both: those `referrals.tests.loadkit.serve` starts Lotse with.
    return [sys.executable, "-m", "uvicorn", app, *extra, "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning", "--no-access-log",
            "--no-proxy-headers"]


@contextmanager
def server(command: list[str], cwd: Path, env: dict[str, str], port: int,
           ready: str) -> Iterator[str]:
    # The server's own log goes to a file beside the figures, not between them.
    from core.testing.servers import wait_until_up

    log = open(Path(tempfile.gettempdir()) / f"bench-requests-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        # A shared, busy machine may take minutes to import and start the application.
        wait_until_up(url, process, ready, seconds=300)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def session_cookie(url: str) -> str:
    """Logs the seeded case manager in through the log-in form; returns the session cookie."""
    import httpx

    with httpx.Client(base_url=url) as http:
        http.get("/login")
        answer = http.post("/login", data={
            "email": "case@load.example", "password": "load-test-password-123",
            "csrf_token": http.cookies.get("lotse_csrf") or ""})
        if answer.status_code not in (200, 303):
            raise RuntimeError(f"log-in failed: {answer.status_code}")
        cookie = http.cookies.get("lotse_session")
    if not cookie:
        raise RuntimeError("log-in gave no session cookie")
    return str(cookie)


async def _steps(url: str, seeded: dict[str, Any], rounds: int, stop_at: float,
                 timings: dict[str, list[float]]) -> None:
    """Repeats /api/me, create, send, accept on one connection, timing each request."""
    host, port = url.removeprefix("http://").split(":")
    connection = Connection(host, int(port))
    case = {"Authorization": f"Bearer {seeded['case_token']}",
            "Content-Type": "application/json"}
    provider = {"Authorization": f"Bearer {seeded['provider_token']}",
                "Content-Type": "application/json"}
    draft = json.dumps({"client_id": seeded["client_id"], "service_id": seeded["service_id"],
                        "need_category": "language_course", "need_text": "Deutschkurs",
                        "shared_categories": ["identity"]}).encode()

    async def timed(name: str, method: str, path: str, headers: dict[str, str],
                    body: bytes = b"", expect: int = 200) -> bytes:
        started = time.perf_counter()
        status, answer = await connection.request(method, path, headers, body)
        timings[name].append(time.perf_counter() - started)
        if status != expect:
            timings["errors"].append(float(status))
        return answer

    done = 0
    try:
        while done < rounds or time.monotonic() < stop_at:
            await timed("me", "GET", "/api/me", case)
            created = json.loads(await timed("create", "POST", "/api/referrals", case, draft,
                                             expect=201))
            path = f"/api/referrals/{created['id']}/transitions"
            await timed("send", "POST", path, case, b'{"to": "sent"}')
            await timed("accept", "POST", path, provider, b'{"to": "accepted"}')
            done += 1
            if rounds and done >= rounds:
                break
    finally:
        connection.close()


def steps(url: str, seeded: dict[str, Any], clients: int, rounds: int,
          seconds: float) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {k: [] for k in ("me", "create", "send", "accept",
                                                        "errors")}

    async def all_clients() -> None:
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(_steps(url, seeded, rounds, stop_at, timings)
                               for _ in range(clients)))

    asyncio.run(all_clients())
    return timings


def scaling(target: Any, loadkit: Any, app_dir: Path, args: Any) -> None:
    """Throughput of /api/me and search with each number of worker processes, side by side."""
    print(f"\n== {target.name}: worker processes ({app_dir}) ==", flush=True)
    seeded = loadkit.prepare(target, referrals=0, places=10_000_000)
    env = dict(target.env)
    if args.no_dispatcher:
        env["LOTSE_RUN_DISPATCHER"] = "false"
    # The one query repeats: with the search cache on, most answers are remembered ones.
    env["LOTSE_SEARCH_CACHE"] = str(args.search_cache)
    print(f"search cache: {args.search_cache} entries per kind"
          + (" (off: every search worked out afresh)" if not args.search_cache else ""))
    token = {"Authorization": f"Bearer {seeded['case_token']}"}
    paths = (("/api/me", "/api/me"), ("/api/search", "/api/search?q=Deutschkurs"))
    rates: dict[tuple[str, int], float] = {}
    counts = [int(w) for w in args.workers.split(",")]
    for workers in counts:
        port = loadkit.free_port()
        command = _uvicorn("app:create_app", port, "--factory", "--workers", str(workers),
                           "--timeout-worker-healthcheck", "60")
        with server(command, app_dir, env, port, "/login") as lotse:
            for _ in range(2):  # every process loads code and reference data
                for _name, path in paths:
                    wrk(lotse + path, token, args.clients, 1)
            for name, path in paths:
                figures = wrk(lotse + path, token, args.clients, args.seconds)
                rates[(name, workers)] = figures["rate"]
                print(f"{name:12} workers={workers}: {figures['rate']:8.0f} req/s "
                      f"@{args.clients}, p50 {figures['p50_us'] / 1000:.1f} ms, errors "
                      f"{figures['errors'] + figures['non2xx']}", flush=True)
    for name, _path in paths:
        base = rates[(name, counts[0])] or float("nan")
        print(f"{name:12} " + "  ".join(
            f"x{rates[(name, w)] / base:.2f} with {w}" for w in counts))


def measure(target: Any, loadkit: Any, app_dir: Path, hello_dir: Path, args: Any) -> None:
    print(f"\n== {target.name} ({app_dir}) ==", flush=True)
    seeded = loadkit.prepare(target, referrals=0, places=10_000_000)
    hello_port, lotse_port = loadkit.free_port(), loadkit.free_port()
    env = dict(target.env)
    if args.no_dispatcher:
        # Events are then left to a `lotse worker`: the figures are the requests' own cost.
        env["LOTSE_RUN_DISPATCHER"] = "false"
    with server(_uvicorn("hello:app", hello_port), hello_dir, dict(os.environ), hello_port,
                "/") as hello, \
            server(_uvicorn("app:create_app", lotse_port, "--factory"), app_dir, env,
                   lotse_port, "/login") as lotse:
        token = {"Authorization": f"Bearer {seeded['case_token']}"}
        cookie = {"Cookie": f"lotse_session={session_cookie(lotse)}"}
        steps(lotse, seeded, 1, 20, 0)  # warm-up: first requests load code and reference data
        rows = []
        for name, url, headers in (("hello", hello + "/", {}),
                                   ("/api/me token", lotse + "/api/me", token),
                                   ("/api/me cookie", lotse + "/api/me", cookie)):
            many = wrk(url, headers, args.clients, args.seconds)
            one = wrk(url, headers, 1, args.seconds)
            rows.append((name, many, one))
        base = rows[0][1]["rate"]
        print(f"{'':16} {'req/s @' + str(args.clients):>12} {'% of hello':>10} "
              f"{'p50 ms @1':>10} {'p95 ms @1':>10} {'errors':>7}")
        for name, many, one in rows:
            print(f"{name:16} {many['rate']:12.0f} {100 * many['rate'] / base:9.1f}% "
                  f"{one['p50_us'] / 1000:10.2f} {one['p95_us'] / 1000:10.2f} "
                  f"{many['errors'] + many['non2xx'] + one['errors'] + one['non2xx']:7d}")
        alone = steps(lotse, seeded, 1, args.rounds, 0)
        crowd = steps(lotse, seeded, args.clients, 0, args.seconds)
        me_alone, me_crowd = _quantile(alone["me"], 0.5), _quantile(crowd["me"], 0.5)
        print(f"\nreferral steps ({args.rounds} rounds with 1 client; {args.clients} clients "
              f"for {args.seconds:.0f} s), each relative to /api/me in the same run:")
        print(f"{'':8} {'p50 ms @1':>10} {'x /api/me':>10} {'p95 ms @1':>10} "
              f"{'p50 ms @' + str(args.clients):>11} {'x /api/me':>10} {'req/s':>8}")
        for name in ("me", "create", "send", "accept"):
            p50, p50c = _quantile(alone[name], 0.5), _quantile(crowd[name], 0.5)
            print(f"{name:8} {p50 * 1000:10.2f} {p50 / me_alone:10.1f} "
                  f"{_quantile(alone[name], 0.95) * 1000:10.2f} {p50c * 1000:11.2f} "
                  f"{p50c / me_crowd:10.1f} {len(crowd[name]) / args.seconds:8.1f}")
        errors = len(alone["errors"]) + len(crowd["errors"])
        print(f"unexpected answers: {errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--app-dir", type=Path, default=HERE)
    parser.add_argument("--no-dispatcher", action="store_true",
                        help="serve without the outbox dispatcher (as beside a `lotse worker`)")
    parser.add_argument("--workers", default="",
                        help="compare worker processes instead, e.g. 1,2")
    parser.add_argument("--search-cache", type=int, default=128,
                        help="LOTSE_SEARCH_CACHE of the servers compared by --workers")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("LOTSE_TEST_POSTGRES",
                                               "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    app_dir = args.app_dir.resolve()
    # The checkout measured provides the load kit: its own migrations, seeding and settings.
    sys.path.insert(0, str(app_dir))
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    from referrals.tests import loadkit

    with tempfile.TemporaryDirectory(prefix="lotse-hello-") as folder:
        (Path(folder) / "hello.py").write_text(HELLO)
        print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
        if args.engine in {"sqlite", "both"}:
            with loadkit.sqlite_target() as target:
                if args.workers:
                    scaling(target, loadkit, app_dir, args)
                else:
                    measure(target, loadkit, app_dir, Path(folder), args)
        if args.engine in {"postgres", "both"}:
            with loadkit.postgres_target(args.postgres_url) as target:
                if args.workers:
                    target.env["LOTSE_PUBSUB"] = "postgres"
                    scaling(target, loadkit, app_dir, args)
                else:
                    measure(target, loadkit, app_dir, Path(folder), args)
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
