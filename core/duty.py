"""Which process of an installation does the background work: delivering the outbox, writing the
embedded search index, running the periodic jobs.

Exactly one process at a time: whichever takes the lock file `<data_dir>/duty.lock` first. The
others only serve requests and try again every few seconds, so one of them takes over when the
holder stops; the operating system frees the lock of a process that ended, even by a crash.
The lock lives beside the search index because the index is what allows only one writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

log = logging.getLogger("lotse.duty")

LOCK_NAME = "duty.lock"
RETRY_SECONDS = 2.0

Step = Callable[[], Awaitable[None]]


def lock_path(data_dir: Path) -> Path:
    return data_dir / LOCK_NAME


class DutyLock:
    """An exclusive `flock` on a file; each instance is its own claim, even within one process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_take(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        # For a person looking: which process holds it.
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


class Duty:
    """Waits for the lock in the background, then runs `start`; `end` runs `stop` and frees it."""

    def __init__(self, lock: DutyLock, start: Sequence[Step], stop: Sequence[Step],
                 retry_seconds: float = RETRY_SECONDS) -> None:
        self.lock = lock
        self._start = list(start)
        self._stop = list(stop)
        self._retry = retry_seconds
        self._task: asyncio.Task[None] | None = None
        self._running = False
        self.taken = asyncio.Event()

    def begin(self) -> None:
        self._task = asyncio.create_task(self._take(), name="duty")

    async def _take(self) -> None:
        waited = False
        while not self.lock.try_take():
            if not waited:
                log.info("another process does the background work; this one serves requests")
                waited = True
            await asyncio.sleep(self._retry)
        self._running = True
        for step in self._start:
            await step()
        log.info("this process delivers the outbox and runs the periodic jobs")
        self.taken.set()

    async def end(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._running:
            for step in self._stop:
                try:
                    await step()
                except Exception as error:  # stop the rest all the same
                    log.error("stopping background work failed: %s", type(error).__name__)
            self._running = False
        self.lock.release()
