"""200 simultaneous acceptances for 10 places, over HTTP against a real server process.

Runs against the engine of the current suite run (SQLite, or PostgreSQL with
LOTSE_TEST_DB=postgres), each time on a database of its own.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest

from conftest import PG_URL, TEST_DB
from referrals.tests.loadkit import Target, postgres_target, prepare, serve, sqlite_target

ACCEPTS = 200
PLACES = 10


@pytest.fixture
def target() -> Iterator[Target]:
    manager: AbstractContextManager[Target] = (
        postgres_target(PG_URL) if TEST_DB == "postgres" else sqlite_target()
    )
    with manager as prepared:
        yield prepared


async def _accept_all(url: str, token: str, ids: list[str]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=ACCEPTS + 10, max_keepalive_connections=ACCEPTS)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits,
                                 headers={"Authorization": f"Bearer {token}"}) as http:
        return await asyncio.gather(*(
            http.post(f"/api/referrals/{referral_id}/transitions", json={"to": "accepted"})
            for referral_id in ids
        ))


@pytest.mark.slow
def test_exactly_as_many_acceptances_as_places_under_concurrency(target: Target) -> None:
    seeded: dict[str, Any] = prepare(target, referrals=ACCEPTS, places=PLACES)
    with serve(target) as server:
        responses = asyncio.run(
            _accept_all(server.url, seeded["provider_token"], seeded["referral_ids"])
        )
        statuses = Counter(r.status_code for r in responses)
        assert statuses == {200: PLACES, 409: ACCEPTS - PLACES}, statuses
        for refused in (r for r in responses if r.status_code == 409):
            body = refused.json()
            assert body["extra"]["code"] == "no_capacity"
            assert "waitlist" in body["detail"]
        headers = {"Authorization": f"Bearer {seeded['provider_token']}"}
        accepted = httpx.get(f"{server.url}/api/inbox", params={"state": "accepted"},
                             headers=headers, timeout=30).json()
        still_sent = httpx.get(f"{server.url}/api/inbox", params={"state": "sent"},
                               headers=headers, timeout=30).json()
        assert accepted["total"] == PLACES
        assert still_sent["total"] == ACCEPTS - PLACES
