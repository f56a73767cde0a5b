"""Several server processes on one database, as `lotse serve --workers N` runs them: exactly one
holds the duty (outbox, search index writer, periodic jobs), the others read the index. A
change made through any process shows in search through every other, and a live notification
reaches a user's stream whichever process holds it."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import TEST_DB, _truncate, run
from core.testing.servers import free_port, start_server, wait_until_up
from tests.journeys import Network, new_client_with_consent, ok, send_referral

# Generous, for a loaded test machine: what counts is that the change arrives at all.
SEARCH_DEADLINE = 10.0
# A loaded machine answers a first request slowly; a hang still fails.
TIMEOUT = 60.0


@dataclass
class Servers:
    holder: str
    reader: str
    data_dir: Path


def _duty_holder(lock: Path, pids: list[int]) -> int:
    """The index in `pids` of the process that wrote its pid into the duty lock file."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            pid = int(lock.read_text().strip() or 0)
        except (OSError, ValueError):
            pid = 0
        if pid in pids:
            return pids.index(pid)
        time.sleep(0.1)
    raise RuntimeError("no server took the duty")


@pytest.fixture(scope="module")
def servers(migrated: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Two servers on the test database with a data folder of their own (index, duty lock)."""
    data_dir = tmp_path_factory.mktemp("processes") / "data"
    env = {**os.environ, "LOTSE_DATA_DIR": str(data_dir), "LOTSE_RUN_DISPATCHER": "true",
           "LOTSE_PUBSUB": "postgres" if TEST_DB == "postgres" else "memory"}
    # Start on an empty database: the duty holder's first index build is then instant instead
    # of reading (while holding the writer) what earlier tests of this worker left behind.
    run(_truncate())
    ports = [free_port(), free_port()]
    processes = [start_server(port, env) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, process in zip(urls, processes, strict=True):
            wait_until_up(url, process)
        holder = _duty_holder(data_dir / "duty.lock", [p.pid for p in processes])
        yield Servers(holder=urls[holder], reader=urls[1 - holder], data_dir=data_dir)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def _bearer(user_id: Any) -> dict[str, str]:
    from accounts.credentials import issue_token

    _id, secret = run(issue_token(user_id, "test"))
    return {"Authorization": f"Bearer {secret}"}


def _free_places(url: str, headers: dict[str, str], service_id: str) -> int | None:
    hits = ok(httpx.get(url + "/api/search", params={"q": "Abendkurs Zuwanderung"},
                        headers=headers, timeout=TIMEOUT))["hits"]
    found = [hit for hit in hits if hit["id"] == service_id]
    return found[0]["document"]["free_places"] if found else None


def _seen_within(url: str, headers: dict[str, str], service_id: str, places: int) -> bool:
    deadline = time.monotonic() + SEARCH_DEADLINE
    while time.monotonic() < deadline:
        if _free_places(url, headers, service_id) == places:
            return True
        time.sleep(0.02)
    return False


def test_capacity_changes_made_through_either_process_show_in_search_through_the_other(
    db: None, make_org: Any, make_user: Any, servers: Servers
) -> None:
    provider = make_user("provider_staff", make_org("Volkshochschule Mülheim"))
    headers = _bearer(provider.id)
    created = ok(httpx.post(servers.reader + "/api/services", headers=headers, json={
        "organization_id": str(provider.organization_id), "name": "Abendkurs Zuwanderung",
        "capacity": {"maximum": 20, "available": 20},
    }, timeout=TIMEOUT), 201)
    service_id = created["id"]
    # The first search of each process loads what search needs; not part of the figure.
    for url in (servers.holder, servers.reader):
        _free_places(url, headers, service_id)
    assert _seen_within(servers.holder, headers, service_id, 20)

    # Eight changes, alternating the process written through; each shows in the other.
    for step in range(8):
        through, seen_by = ((servers.reader, servers.holder) if step % 2 == 0
                            else (servers.holder, servers.reader))
        places = 19 - step
        ok(httpx.patch(f"{through}/api/services/{service_id}/capacity", headers=headers,
                       json={"available": places}, timeout=TIMEOUT))
        assert _seen_within(seen_by, headers, service_id, places), (
            f"change {step + 1} made through {through} is not in search through {seen_by}")


def _next_notification(stream: Any) -> dict[str, Any]:
    event = ""
    for line in stream.iter_lines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == "notification":
            found: dict[str, Any] = json.loads(line.removeprefix("data: "))
            return found
    raise AssertionError("the stream ended without a notification")


@pytest.mark.skipif(TEST_DB != "postgres", reason="LOTSE_PUBSUB=postgres needs PostgreSQL "
                    "(run with LOTSE_TEST_DB=postgres)")
def test_a_notification_written_by_one_process_reaches_a_stream_held_by_the_other(
    db: None, make_org: Any, make_user: Any, make_service: Any, servers: Servers
) -> None:
    case_org, provider_org = make_org("Caritas Mülheim"), make_org("AWO Mülheim")
    case_manager = make_user("case_manager", case_org)
    provider = make_user("provider_staff", provider_org)
    service_id = make_service(provider_org, name="Deutschkurs am Vormittag", available=3)
    # Both people work through the process that does not hold the duty; the holder writes
    # the notification, and the streams' own re-check (30 s) is too slow to pass for it.
    with httpx.Client(base_url=servers.reader, headers=_bearer(case_manager.id),
                      timeout=TIMEOUT) as sender, \
            httpx.Client(base_url=servers.reader, headers=_bearer(provider.id),
                         timeout=TIMEOUT) as receiver:
        net = Network(case_manager, provider, case_org, provider_org, service_id, sender,
                      receiver)
        client_id, _consent = new_client_with_consent(net)
        with receiver.stream("GET", "/notifications/stream", timeout=20.0) as stream:
            assert stream.status_code == 200
            referral_id = send_referral(net, client_id)
            received = _next_notification(stream)
    assert received["kind"] == "referral_received"
    assert received["referral_id"] == referral_id
