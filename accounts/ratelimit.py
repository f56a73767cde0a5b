"""Log-in rate limit: attempts per e-mail and per address within a sliding window of 15 minutes.

Counted in the database, so that every process and every request in flight sees the same
numbers: an attempt is counted up before the password is checked (one upsert per key and minute,
atomic on SQLite and PostgreSQL), and a refused or successful attempt gives its count back. What
remains are the failures, and the attempts still being checked.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from accounts.tables import LoginAttempt
from core.db import atomic
from settings import get_settings

WINDOW_MINUTES = 15
MAX_PER_EMAIL = 5
MAX_PER_ADDRESS = 20

_COUNT_UP = (
    'INSERT INTO login_attempt ("slot", "key", "minute", "attempts") VALUES ({}, {}, {}, 1) '
    'ON CONFLICT ("slot") DO UPDATE SET "attempts" = login_attempt."attempts" + 1'
)


@dataclass(frozen=True)
class Attempt:
    """A counted attempt: the digests of its e-mail and address and the minute it counts in."""

    email_key: str
    address_key: str
    minute: int


def _digest(kind: str, value: str) -> str:
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _slot(key: str, minute: int) -> str:
    return f"{minute}:{key}"


async def _totals(attempt: Attempt) -> dict[str, int]:
    rows = await LoginAttempt.select(LoginAttempt.key, LoginAttempt.attempts).where(
        LoginAttempt.key.is_in([attempt.email_key, attempt.address_key])
        & (LoginAttempt.minute > attempt.minute - WINDOW_MINUTES)
    )
    totals = {attempt.email_key: 0, attempt.address_key: 0}
    for row in rows:
        totals[row["key"]] += row["attempts"]
    return totals


async def _give_back(key: str, minute: int) -> None:
    await LoginAttempt.update({LoginAttempt.attempts: LoginAttempt.attempts - 1}).where(
        LoginAttempt.slot == _slot(key, minute)
    )


async def begin(email: str, address: str, now: float | None = None) -> Attempt | None:
    """Count an attempt; None when the e-mail or the address has used up its attempts."""
    minute = int((time.time() if now is None else now) // 60)
    attempt = Attempt(_digest("e", email.lower()), _digest("a", address), minute)
    async with atomic():
        # Always the e-mail first, then the address: concurrent attempts lock in one order.
        for key in (attempt.email_key, attempt.address_key):
            await LoginAttempt.raw(_COUNT_UP, _slot(key, minute), key, minute)
        totals = await _totals(attempt)
        allowed = (totals[attempt.email_key] <= MAX_PER_EMAIL
                   and totals[attempt.address_key] <= MAX_PER_ADDRESS)
        if not allowed:
            for key in (attempt.email_key, attempt.address_key):
                await _give_back(key, minute)
    await LoginAttempt.delete().where(LoginAttempt.minute <= minute - WINDOW_MINUTES)
    return attempt if allowed else None


async def succeeded(attempt: Attempt) -> None:
    """The password was right: the e-mail starts afresh, the address gets its attempt back."""
    async with atomic():
        await LoginAttempt.delete().where(LoginAttempt.key == attempt.email_key)
        await _give_back(attempt.address_key, attempt.minute)
