"""Who a session cookie or an API token belongs to, remembered by this process for under a second.

Every request asks this; looking it up costs three queries, remembering it none. An entry lives
`LOTSE_AUTH_CACHE_MS` (500 ms, at most 1 s), so a revocation, deactivation, role change or
log-out made by another process takes effect here within that time. Changes made by this
process call `forget_all()` after they are written, and take effect at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from accounts.identity import CurrentUser
from settings import get_settings

# Many distinct credentials within one second are unusual; beyond this, start afresh.
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Known:
    user: CurrentUser | None
    csrf_token: str = ""
    # When a session ends by itself; None for tokens.
    session_expires: datetime | None = None
    # time.monotonic() after which the entry is asked again.
    fresh_until: float = 0.0


_known: dict[str, Known] = {}


def lifetime() -> float:
    return get_settings().auth_cache_ms / 1000


def recall(key: str) -> Known | None:
    entry = _known.get(key)
    if entry is None:
        return None
    if entry.fresh_until < time.monotonic() or (
        entry.session_expires is not None and entry.session_expires < datetime.now(UTC)
    ):
        _known.pop(key, None)
        return None
    return entry


def remember(key: str, user: CurrentUser | None, csrf_token: str = "",
             session_expires: datetime | None = None) -> Known:
    entry = Known(user=user, csrf_token=csrf_token, session_expires=session_expires,
                  fresh_until=time.monotonic() + lifetime())
    if lifetime() > 0:
        if len(_known) >= MAX_ENTRIES:
            _known.clear()
        _known[key] = entry
    return entry


def forget_all() -> None:
    """Called after this process changed a user, a membership, a session or a token."""
    _known.clear()
