"""Start and stop the periodic deadline check with the web process (when it runs the dispatcher)."""

from __future__ import annotations

from litestar import Litestar

from referrals.jobs import Ticker
from referrals.retention import RetentionTimer
from settings import get_settings

_ticker = Ticker()
_retention = RetentionTimer()


async def start_ticker(app: Litestar) -> None:
    if get_settings().run_dispatcher:
        _ticker.start()


async def stop_ticker(app: Litestar) -> None:
    await _ticker.stop()


async def start_retention(app: Litestar) -> None:
    if get_settings().run_dispatcher:
        _retention.start()


async def stop_retention(app: Litestar) -> None:
    await _retention.stop()


on_startup = [start_ticker, start_retention]
on_shutdown = [stop_ticker, stop_retention]
