"""Signals between the processes of one installation, chosen by LOTSE_PUBSUB.

`memory` (the default) reaches only this process: enough for one process. `postgres` reaches
every process on the database by LISTEN/NOTIFY, for `lotse serve --workers N` and separate
`lotse worker` processes. A message is a short text (PostgreSQL takes under 8,000 bytes);
subscribers are called in the event loop of the process, and must treat a message as "look
again" (after a lost connection they get an empty one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from core.pg_listen import close_process_listener, process_listener
from settings import get_settings

Callback = Callable[[str], None]
# PostgreSQL refuses NOTIFY payloads of 8,000 bytes and more.
MAX_PAYLOAD = 7900


class PubSub(Protocol):
    async def subscribe(self, channel: str, callback: Callback) -> None: ...

    async def unsubscribe(self, channel: str, callback: Callback) -> None: ...

    async def publish(self, channel: str, payload: str) -> None: ...


class MemoryPubSub:
    def __init__(self) -> None:
        self._callbacks: dict[str, list[Callback]] = {}

    async def subscribe(self, channel: str, callback: Callback) -> None:
        self._callbacks.setdefault(channel, []).append(callback)

    async def unsubscribe(self, channel: str, callback: Callback) -> None:
        callbacks = self._callbacks.get(channel, [])
        if callback in callbacks:
            callbacks.remove(callback)

    async def publish(self, channel: str, payload: str) -> None:
        for callback in list(self._callbacks.get(channel, ())):
            callback(payload)


class PostgresPubSub:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    async def subscribe(self, channel: str, callback: Callback) -> None:
        await process_listener(self.dsn).listen(channel, callback)

    async def unsubscribe(self, channel: str, callback: Callback) -> None:
        await process_listener(self.dsn).unlisten(channel, callback)

    async def publish(self, channel: str, payload: str) -> None:
        if len(payload.encode()) > MAX_PAYLOAD:
            raise ValueError(f"a message on {channel} is too long for PostgreSQL NOTIFY")
        await process_listener(self.dsn).notify(channel, payload)


_hub: PubSub | None = None


def hub() -> PubSub:
    """The backend of this process, as LOTSE_PUBSUB says."""
    global _hub
    if _hub is None:
        settings = get_settings()
        _hub = PostgresPubSub(settings.database_url) if settings.pubsub == "postgres" \
            else MemoryPubSub()
    return _hub


async def close() -> None:
    """At the end of the process (or of a test's event loop)."""
    global _hub
    _hub = None
    await close_process_listener()
