"""Master key rotation: every client key is re-wrapped under a new master key, the data keys and
the sealed data stay as they are.

While rotating, LOTSE_MASTER_KEY is the new key and LOTSE_MASTER_KEY_PREVIOUS the old one; a key
is opened with whichever its stored `kek_id` names, so the application keeps running. Each batch
is one transaction of conditional updates (only a key still under the old key is replaced), so a
crash leaves every key wholly old or wholly new, an erasure in between is not undone, and running
the rotation again continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from uuid import UUID

from clients import crypto
from clients.keystore import Rewrap, get_keystore


@dataclass(frozen=True)
class MasterKeys:
    current: bytes
    current_id: str
    previous: bytes | None
    previous_id: str | None


@dataclass(frozen=True)
class RotationReport:
    rotated: int
    # Keys under a master key that is neither the new nor the old one: left as they are.
    unknown: int
    remaining: int


@dataclass(frozen=True)
class KeyStatus:
    current: int
    previous: int
    unknown: int


@lru_cache(maxsize=4)
def _master_keys(current: str, previous: str | None) -> MasterKeys:
    key = crypto.derive_instance_key(current)
    old = crypto.derive_instance_key(previous) if previous else None
    return MasterKeys(key, crypto.key_id(key), old, crypto.key_id(old) if old else None)


def master_keys() -> MasterKeys:
    from settings import get_settings

    settings = get_settings()
    return _master_keys(settings.master_key or settings.secret_key, settings.master_key_previous)


def key_for(kek_id: str) -> bytes:
    """The master key a stored client key was wrapped with."""
    keys = master_keys()
    if kek_id == keys.current_id:
        return keys.current
    if keys.previous is not None and kek_id == keys.previous_id:
        return keys.previous
    raise crypto.CryptoError(
        "a client key is wrapped under a master key that is not configured "
        "(finish `lotse keys rotate` with LOTSE_MASTER_KEY_PREVIOUS set to the old key)"
    )


async def key_status() -> KeyStatus:
    keys = master_keys()
    counts = await get_keystore().count_by_kek()
    current = counts.pop(keys.current_id, 0)
    previous = counts.pop(keys.previous_id, 0) if keys.previous_id else 0
    return KeyStatus(current=current, previous=previous, unknown=sum(counts.values()))


async def rotate(batch_size: int = 200, progress: Callable[[int], None] | None = None
                 ) -> RotationReport:
    """Re-wrap every key not yet under the current master key; safe to run again any time."""
    keys = master_keys()
    store = get_keystore()
    rotated = unknown = 0
    after: UUID | None = None
    while batch := await store.not_under(keys.current_id, after, batch_size):
        after = batch[-1][0]
        items = []
        for client_id, stored in batch:
            if keys.previous is None or stored.kek_id != keys.previous_id:
                unknown += 1
                continue
            data_key = crypto.unwrap_key(stored.wrapped, keys.previous, client_id)
            items.append(Rewrap(client_id, stored.kek_id,
                                crypto.wrap_key(data_key, keys.current, client_id),
                                keys.current_id))
        if items:
            rotated += await store.rewrap(items)
        if progress is not None:
            progress(len(batch))
    status = await key_status()
    if status.previous == 0 and rotated:
        # The old wrapped forms leave the key file's free pages too.
        await store.compact()
    return RotationReport(rotated=rotated, unknown=unknown,
                          remaining=status.previous + status.unknown)
