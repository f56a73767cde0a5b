"""Log-in rate limit: failed attempts per e-mail and per address within a sliding window."""

from __future__ import annotations

import time
from collections import defaultdict, deque

WINDOW_SECONDS = 15 * 60
MAX_PER_EMAIL = 5
MAX_PER_ADDRESS = 20

_failures: dict[str, deque[float]] = defaultdict(deque)


def _recent(key: str, now: float) -> deque[float]:
    hits = _failures[key]
    while hits and hits[0] < now - WINDOW_SECONDS:
        hits.popleft()
    return hits


def is_blocked(email: str, address: str) -> bool:
    now = time.monotonic()
    return (
        len(_recent(f"e:{email.lower()}", now)) >= MAX_PER_EMAIL
        or len(_recent(f"a:{address}", now)) >= MAX_PER_ADDRESS
    )


def record_failure(email: str, address: str) -> None:
    now = time.monotonic()
    _recent(f"e:{email.lower()}", now).append(now)
    _recent(f"a:{address}", now).append(now)


def forget(email: str) -> None:
    _failures.pop(f"e:{email.lower()}", None)


def reset() -> None:
    _failures.clear()
