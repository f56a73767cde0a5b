"""A backup taken while referrals are being written is one consistent snapshot: restored, no
referral lacks the transition into its state, no outbox event names a transition that is not
there, and no transition lacks its outbox event."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from operations.tests.backup_kit import QUIET, lotse, query, serve, target
from referrals.tests.loadkit import Target, prepare

pytestmark = pytest.mark.slow

WRITERS = 4


async def _write_referrals(url: str, ids: dict[str, Any], stop: threading.Event,
                           written: list[str]) -> None:
    case = {"Authorization": f"Bearer {ids['case_token']}"}
    body = {"client_id": ids["client_id"], "service_id": ids["service_id"],
            "need_category": "language_course", "shared_categories": ["identity"]}

    async def writer(http: httpx.AsyncClient) -> None:
        while not stop.is_set():
            created = await http.post("/api/referrals", json=body, headers=case)
            assert created.status_code == 201, created.text
            referral_id = created.json()["id"]
            sent = await http.post(f"/api/referrals/{referral_id}/transitions",
                                   json={"to": "sent"}, headers=case)
            assert sent.status_code == 200, sent.text
            written.append(referral_id)

    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        await asyncio.gather(*(writer(http) for _ in range(WRITERS)))


def _payload(raw: Any) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(raw) if isinstance(raw, str) else raw
    return loaded


def test_backup_during_a_burst_of_referral_writes_is_consistent(tmp_path: Path) -> None:
    backup = tmp_path / "backup"
    with target() as live:
        ids = prepare(live, referrals=0, places=3)
        with serve(live) as url:
            stop, written = threading.Event(), list[str]()
            burst = threading.Thread(target=asyncio.run,
                                     args=(_write_referrals(url, ids, stop, written),))
            burst.start()
            try:
                while len(written) < 10 and burst.is_alive():
                    stop.wait(0.2)
                lotse(live, "backup", str(backup))
                during = len(written)
            finally:
                stop.set()
                burst.join()
        assert during >= 10
    with target() as restored:
        lotse(restored, "restore", str(backup), env=QUIET)
        _assert_consistent(restored)


def _assert_consistent(restored: Target) -> None:
    referrals = query(restored, "SELECT count(*) FROM referral")[0][0]
    assert referrals >= 10
    without_transition = query(restored, (
        "SELECT r.id FROM referral r WHERE r.state <> 'draft' AND NOT EXISTS ("
        "SELECT 1 FROM referral_transition t WHERE t.referral = r.id AND t.to_state = r.state)"
    ))
    assert without_transition == []
    transitions = {str(row[0]) for row in query(restored, "SELECT id FROM referral_transition")}
    announced = {
        _payload(row[0])["transition_id"]
        for row in query(restored,
                         "SELECT payload FROM outbox_event WHERE topic = 'referral.transition'")
    }
    assert announced <= transitions, "an outbox event names a transition the snapshot lacks"
    assert transitions <= announced, "a transition of the snapshot lacks its outbox event"
