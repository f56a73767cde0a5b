#!/usr/bin/env python3
"""How soon a change of free places shows in search: against a running server with one and with
two worker processes, for a provider's edit, an acceptance and a cancellation.

    .venv/bin/python scripts/bench_visibility.py [--engine sqlite|postgres|both]
        [--changes 30] [--workers 1,2]

Each change is made through the JSON API; from its answer on, `/api/search` is asked every
10 ms, each time on a new connection (so with two workers both processes answer), until it
shows the new number of free places. Prints p50/p95/max of that delay per kind of change.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")

GIVE_UP_SECONDS = 10.0
POLL_SECONDS = 0.01
PLACES = 1000


@contextmanager
def serve(env: dict[str, str], workers: int) -> Iterator[str]:
    """`lotse serve --workers N` on a free port of loopback; its log goes to a file."""

    from core.testing.servers import free_port, wait_until_up

    port = free_port()
    log_path = Path(tempfile.gettempdir()) / f"bench-visibility-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers",
             str(workers)], cwd=HERE, env=env, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            # A loaded machine starts the workers slowly.
            try:
                wait_until_up(url, process, "/login", seconds=300)
            except RuntimeError as error:
                raise RuntimeError(f"{error}; see {log_path}") from error
            yield url
        finally:
            process.terminate()
            process.wait(timeout=60)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


class Api:
    def __init__(self, url: str, seeded: dict[str, Any]) -> None:
        import httpx

        self.url = url
        self.service_id = seeded["service_id"]
        self.client_id = seeded["client_id"]
        self.case = httpx.Client(base_url=url, headers={
            "Authorization": f"Bearer {seeded['case_token']}"}, timeout=30)
        self.provider = httpx.Client(base_url=url, headers={
            "Authorization": f"Bearer {seeded['provider_token']}"}, timeout=30)
        self.search_headers = {"Authorization": f"Bearer {seeded['provider_token']}"}

    def free_places(self) -> int | None:
        import httpx

        # A new connection each time: with several workers, any of them may answer.
        answer = httpx.get(self.url + "/api/search", params={"q": "Deutschkurs"},
                           headers=self.search_headers, timeout=30)
        answer.raise_for_status()
        for hit in answer.json()["hits"]:
            if hit["id"] == self.service_id:
                value = hit["document"]["free_places"]
                return int(value) if value is not None else None
        return None

    def _ok(self, response: Any, status: int = 200) -> Any:
        if response.status_code != status:
            raise RuntimeError(f"{response.request.method} {response.request.url}: "
                               f"{response.status_code} {response.text[:300]}")
        return response.json()

    def edit(self, places: int) -> None:
        self._ok(self.provider.patch(f"/api/services/{self.service_id}/capacity",
                                     json={"available": places}))

    def referral(self) -> str:
        draft = self._ok(self.case.post("/api/referrals", json={
            "client_id": self.client_id, "service_id": self.service_id,
            "need_category": "language_course", "need_text": "Deutschkurs",
            "shared_categories": ["identity"]}), 201)
        referral_id = str(draft["id"])
        self._ok(self.case.post(f"/api/referrals/{referral_id}/transitions",
                                json={"to": "sent"}))
        return referral_id

    def accept(self, referral_id: str) -> None:
        self._ok(self.provider.post(f"/api/referrals/{referral_id}/transitions",
                                    json={"to": "accepted"}))

    def cancel(self, referral_id: str) -> None:
        self._ok(self.case.post(f"/api/referrals/{referral_id}/transitions",
                                json={"to": "cancelled", "reason": "other"}))


def visible_after(api: Api, expected: int) -> float:
    """Seconds from now until search shows `expected` free places (inf: not within 10 s)."""
    started = time.perf_counter()
    while time.perf_counter() - started < GIVE_UP_SECONDS:
        if api.free_places() == expected:
            return time.perf_counter() - started
        time.sleep(POLL_SECONDS)
    return float("inf")


def settle(api: Api) -> int:
    """The free places once search has caught up with everything before."""
    last = api.free_places()
    time.sleep(0.5)
    while (now := api.free_places()) != last:
        last = now
        time.sleep(0.5)
    return int(last or 0)


def run_changes(api: Api, changes: int) -> dict[str, list[float]]:
    delays: dict[str, list[float]] = {"edit": [], "acceptance": [], "cancellation": []}
    for _ in range(20):  # every worker's first searches load what search needs
        api.free_places()
    places = settle(api)
    for step in range(changes):
        places = PLACES - 1 - (step % 50)
        api.edit(places)
        delays["edit"].append(visible_after(api, places))
        referral_id = api.referral()
        # Sending changes nothing in search: wait so the acceptance is measured alone.
        settle(api)
        api.accept(referral_id)
        places -= 1
        delays["acceptance"].append(visible_after(api, places))
        api.cancel(referral_id)
        places += 1
        delays["cancellation"].append(visible_after(api, places))
    return delays


def report(name: str, workers: int, delays: dict[str, list[float]]) -> None:
    for kind, values in delays.items():
        lost = sum(1 for v in values if v == float("inf"))
        seen = [v for v in values if v != float("inf")]
        print(f"{name:10} workers={workers} {kind:13} n={len(values):3} "
              f"p50={_quantile(seen, 0.5) * 1000:7.1f} ms  p95={_quantile(seen, 0.95) * 1000:7.1f}"
              f" ms  max={max(seen, default=float('nan')) * 1000:7.1f} ms  not seen in 10 s: "
              f"{lost}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("LOTSE_TEST_POSTGRES",
                                               "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    from referrals.tests import loadkit

    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    targets = []
    if args.engine in {"sqlite", "both"}:
        targets.append(("sqlite", lambda: loadkit.sqlite_target()))
    if args.engine in {"postgres", "both"}:
        targets.append(("postgres", lambda: loadkit.postgres_target(args.postgres_url)))
    for name, make in targets:
        with make() as target:
            if name == "postgres":
                target.env["LOTSE_PUBSUB"] = "postgres"
            seeded = loadkit.prepare(target, referrals=0, places=PLACES)
            for workers in (int(w) for w in args.workers.split(",")):
                with serve(target.env, workers) as url:
                    api = Api(url, seeded)
                    report(name, workers, run_changes(api, args.changes))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(json.dumps({"done": True}))


if __name__ == "__main__":
    main()
