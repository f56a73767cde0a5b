"""Waking the dispatcher as soon as a commit wrote outbox events, in whichever process it runs.

In the writing process itself the dispatcher is woken after the commit. The process that
delivers (another web process or `lotse worker`) hears of it too: on PostgreSQL by a NOTIFY sent
inside the transaction, which PostgreSQL delivers only at the commit (never for a rollback); on
SQLite by a datagram to a socket in the data folder that the delivering process listens on.
A lost signal costs only time: the dispatcher also polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable
from pathlib import Path

from core.db import after_this_commit, is_sqlite
from core.pg_listen import process_listener
from outbox.tables import OutboxEvent
from settings import get_settings

log = logging.getLogger("lotse.outbox")

CHANNEL = "lotse_outbox"
SOCKET_NAME = "outbox-wake.sock"
# Longer socket paths do not fit in sockaddr_un; such installations rely on polling alone.
MAX_SOCKET_PATH = 100

_local: list[Callable[[], None]] = []


def socket_path() -> Path:
    return get_settings().data_dir / SOCKET_NAME


def on_local_commit(hook: Callable[[], None]) -> None:
    """`hook` runs after each commit in this process that wrote outbox events."""
    _local.append(hook)


def remove_local(hook: Callable[[], None]) -> None:
    if hook in _local:
        _local.remove(hook)


def signal_others() -> None:
    """Tell the delivering process on this machine (SQLite): a datagram, dropped when nobody
    listens or its queue is full."""
    path = str(socket_path())
    if len(path) > MAX_SOCKET_PATH:
        return
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as out:
        out.setblocking(False)
        out.sendto(b"w", path)


def _committed() -> None:
    for hook in list(_local):
        hook()
    if is_sqlite():
        signal_others()


async def announce() -> None:
    """Called where outbox rows are written, inside the transaction: once per transaction."""
    if not after_this_commit(_committed):
        return
    if not is_sqlite():
        await OutboxEvent.raw("SELECT pg_notify({}, '')", CHANNEL)


class WakeListener:
    """Hears the signals of other processes and calls `wake`; only the delivering process."""

    def __init__(self, wake: Callable[[], None]) -> None:
        self.wake = wake
        self._socket: socket.socket | None = None
        self._listening = False

    def _heard(self, _payload: str = "") -> None:
        self.wake()

    def _read(self) -> None:
        if self._socket is None:
            return
        with contextlib.suppress(OSError):
            while self._socket.recv(64):
                pass
        self.wake()

    async def start(self) -> None:
        if is_sqlite():
            self._bind()
        else:
            try:
                await process_listener(get_settings().database_url).listen(CHANNEL, self._heard)
                self._listening = True
            except OSError as error:
                log.warning("outbox: cannot listen for wake-ups (%s); polling", error)

    def _bind(self) -> None:
        path = socket_path()
        if len(str(path)) > MAX_SOCKET_PATH:
            log.warning("outbox: data folder path too long for a wake-up socket; polling")
            return
        # Only the process holding the duty lock binds: a socket file left here is stale.
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        bound = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        bound.setblocking(False)
        bound.bind(str(path))
        asyncio.get_running_loop().add_reader(bound.fileno(), self._read)
        self._socket = bound

    async def stop(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(ValueError, RuntimeError):
                asyncio.get_running_loop().remove_reader(self._socket.fileno())
            self._socket.close()
            self._socket = None
            socket_path().unlink(missing_ok=True)
        if self._listening:
            self._listening = False
            with contextlib.suppress(OSError):
                await process_listener(get_settings().database_url).unlisten(CHANNEL,
                                                                              self._heard)
