"""Start and stop the periodic deadline check with the web process (when it runs the dispatcher)."""

from __future__ import annotations

from litestar import Litestar

from referrals.jobs import Ticker
from settings import get_settings

_ticker = Ticker()


async def start_ticker(app: Litestar) -> None:
    if get_settings().run_dispatcher:
        _ticker.start()


async def stop_ticker(app: Litestar) -> None:
    await _ticker.stop()


on_startup = [start_ticker]
on_shutdown = [stop_ticker]
