"""One PostgreSQL LISTEN connection per process, for signals between the processes of an
installation (outbox wake-ups, live notifications).

The connection is opened at the first `listen` and opened again when it is lost; after a
reconnection every callback is called once with an empty payload, as signals may have been
missed meanwhile (listeners treat a signal as "look again", never as the data itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

log = logging.getLogger("lotse.listen")

Callback = Callable[[str], None]
RECONNECT_SECONDS = (0.2, 1.0, 5.0)


class PgListener:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._callbacks: dict[str, list[Callback]] = {}
        self._connection: Any = None
        # Channels the current connection listens on.
        self._listening: set[str] = set()
        self._lock = asyncio.Lock()
        self._reconnecting: asyncio.Task[None] | None = None
        self._closed = False

    def _deliver(self, _connection: Any, _pid: int, channel: str, payload: str) -> None:
        for callback in list(self._callbacks.get(channel, ())):
            try:
                callback(payload)
            except Exception as error:  # one listener's fault must not silence the others
                log.error("listener of %s failed: %s", channel, type(error).__name__)

    async def _connect(self) -> Any:
        if self._connection is not None and not self._connection.is_closed():
            return self._connection
        connection = await asyncpg.connect(self.dsn)
        self._listening = set()
        try:
            for channel in self._callbacks:
                await connection.add_listener(channel, self._deliver)
                self._listening.add(channel)
        except BaseException:
            # Closed here, on its loop, rather than by the garbage collector in some thread.
            connection.terminate()
            raise
        connection.add_termination_listener(self._lost)
        self._connection = connection
        return connection

    def _lost(self, _connection: Any) -> None:
        if self._closed or self._reconnecting is not None:
            return
        self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        attempt = 0
        try:
            while not self._closed:
                try:
                    async with self._lock:
                        self._connection = None
                        await self._connect()
                    break
                except (OSError, asyncpg.PostgresError) as error:
                    delay = RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)]
                    log.warning("listening connection lost (%s); again in %s s",
                                type(error).__name__, delay)
                    attempt += 1
                    await asyncio.sleep(delay)
        finally:
            self._reconnecting = None
        for channel in list(self._callbacks):
            self._deliver(None, 0, channel, "")

    async def listen(self, channel: str, callback: Callback) -> None:
        async with self._lock:
            self._callbacks.setdefault(channel, []).append(callback)
            connection = await self._connect()
            if channel not in self._listening:
                await connection.add_listener(channel, self._deliver)
                self._listening.add(channel)

    async def unlisten(self, channel: str, callback: Callback) -> None:
        async with self._lock:
            callbacks = self._callbacks.get(channel, [])
            if callback in callbacks:
                callbacks.remove(callback)
            if not callbacks and channel in self._callbacks:
                del self._callbacks[channel]
                self._listening.discard(channel)
                if self._connection is not None and not self._connection.is_closed():
                    with contextlib.suppress(OSError, asyncpg.PostgresError):
                        await self._connection.remove_listener(channel, self._deliver)

    async def notify(self, channel: str, payload: str) -> None:
        async with self._lock:
            connection = await self._connect()
            await connection.execute("SELECT pg_notify($1, $2)", channel, payload)

    async def close(self) -> None:
        self._closed = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnecting
        async with self._lock:
            if self._connection is not None:
                with contextlib.suppress(OSError, asyncpg.PostgresError):
                    await self._connection.close(timeout=2)
                self._connection = None
        self._callbacks.clear()


# One per event loop: a connection belongs to the loop that opened it. A server has one loop;
# a test process runs servers in threads beside its own loop, and using (or closing) another
# loop's connection from there would corrupt that loop.
_listeners: dict[asyncio.AbstractEventLoop, PgListener] = {}


def process_listener(dsn: str) -> PgListener:
    """This process's listening connection (one for every channel), made at first use."""
    loop = asyncio.get_running_loop()
    for other in [known for known in _listeners if known.is_closed()]:
        del _listeners[other]
    if loop not in _listeners:
        _listeners[loop] = PgListener(dsn)
    return _listeners[loop]


async def close_process_listener() -> None:
    listener = _listeners.pop(asyncio.get_running_loop(), None)
    if listener is not None:
        await listener.close()
