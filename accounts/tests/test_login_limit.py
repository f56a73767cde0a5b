"""The log-in limit holds across requests in flight and processes: counted in the database."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest

from accounts import ratelimit
from conftest import run

ATTEMPTS = 30


async def _wrong_passwords(url: str, emails: list[str],
                           headers: dict[str, str] | None = None) -> list[int]:
    limits = httpx.Limits(max_connections=ATTEMPTS + 5)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        await http.get("/login")
        csrf = http.cookies["lotse_csrf"]
        responses = await asyncio.gather(*(
            http.post("/login", headers=headers, data={
                "email": email, "password": "wrong-password", "csrf_token": csrf})
            for email in emails
        ))
    return [response.status_code for response in responses]


def test_parallel_wrong_passwords_for_one_e_mail_stop_after_five(
    live_server: Any, make_user: Any
) -> None:
    user = make_user("viewer")
    statuses = asyncio.run(_wrong_passwords(live_server.url, [user.email] * ATTEMPTS))
    assert Counter(statuses) == {400: ratelimit.MAX_PER_EMAIL,
                                 429: ATTEMPTS - ratelimit.MAX_PER_EMAIL}


def test_parallel_wrong_passwords_from_one_address_stop_after_twenty(live_server: Any) -> None:
    emails = [f"nobody{n}@example.org" for n in range(ATTEMPTS)]
    statuses = asyncio.run(_wrong_passwords(live_server.url, emails))
    assert Counter(statuses) == {400: ratelimit.MAX_PER_ADDRESS,
                                 429: ATTEMPTS - ratelimit.MAX_PER_ADDRESS}


def test_forwarded_for_from_loopback_does_not_reset_the_address_limit(live_server: Any) -> None:
    async def spread() -> list[int]:
        statuses: list[int] = []
        for n in range(ratelimit.MAX_PER_ADDRESS + 1):
            statuses += await _wrong_passwords(
                live_server.url, [f"someone{n}@example.org"],
                headers={"X-Forwarded-For": f"198.51.100.{n}"})
        return statuses

    statuses = asyncio.run(spread())
    assert statuses[-1] == 429


def test_a_failure_older_than_the_window_no_longer_counts(db: None) -> None:
    start = 1_800_000_000.0
    for _ in range(ratelimit.MAX_PER_EMAIL):
        assert run(ratelimit.begin("a@example.org", "192.0.2.1", now=start)) is not None
    assert run(ratelimit.begin("a@example.org", "192.0.2.1", now=start + 14 * 60)) is None
    assert run(ratelimit.begin("a@example.org", "192.0.2.1", now=start + 16 * 60)) is not None


def test_a_successful_log_in_forgets_the_failures_of_its_e_mail(db: None) -> None:
    for _ in range(ratelimit.MAX_PER_EMAIL - 1):
        run(ratelimit.begin("b@example.org", "192.0.2.2"))
    attempt = run(ratelimit.begin("b@example.org", "192.0.2.2"))
    assert attempt is not None
    run(ratelimit.succeeded(attempt))
    assert run(ratelimit.begin("b@example.org", "192.0.2.2")) is not None


def test_old_attempts_are_deleted(db: None) -> None:
    from accounts.tables import LoginAttempt

    start = 1_800_000_000.0
    run(ratelimit.begin("c@example.org", "192.0.2.3", now=start))
    run(ratelimit.begin("d@example.org", "192.0.2.4", now=start + 60 * 60))
    assert run(LoginAttempt.count()) == 2  # one e-mail and one address of the later attempt


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("127.0.0.1", ["198.51.100.7"], "", "127.0.0.1"),
        ("10.0.0.5", ["198.51.100.7"], "10.0.0.0/8", "198.51.100.7"),
        ("10.0.0.5", ["203.0.113.9, 198.51.100.7, 10.0.0.4"], "10.0.0.0/8", "198.51.100.7"),
        ("10.0.0.5", ["198.51.100.7", "10.0.0.4"], "10.0.0.0/8,127.0.0.1", "198.51.100.7"),
        ("192.0.2.1", ["198.51.100.7"], "10.0.0.0/8", "192.0.2.1"),
        ("10.0.0.5", ["not-an-address"], "10.0.0.0/8", "10.0.0.5"),
        ("10.0.0.5", [], "10.0.0.0/8", "10.0.0.5"),
    ],
)
def test_the_client_address_trusts_forwarded_for_only_from_configured_proxies(
    peer: str, forwarded: list[str], trusted: str, expected: str
) -> None:
    from core.web import forwarded_client
    from settings import parse_networks

    assert forwarded_client(peer, forwarded, parse_networks("LOTSE_TRUSTED_PROXIES", trusted)) \
        == expected


def test_serve_leaves_forwarded_headers_to_lotse(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from click.testing import CliRunner

    from cli import main

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    assert CliRunner().invoke(main, ["serve"]).exit_code == 0
    assert seen["proxy_headers"] is False
