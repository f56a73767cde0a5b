"""The referral exchange's periodic work (deadlines, retention), run by the process holding the
duty (`core.duty`), and live notifications heard from other processes (`core.pubsub`)."""

from __future__ import annotations

from litestar import Litestar

from referrals.jobs import Ticker
from referrals.notifications import broker
from referrals.retention import RetentionTimer

_ticker = Ticker()
_retention = RetentionTimer()


async def start_ticker() -> None:
    _ticker.start()


async def stop_ticker() -> None:
    await _ticker.stop()


async def start_retention() -> None:
    _retention.start()


async def stop_retention() -> None:
    await _retention.stop()


async def hear_notifications(app: Litestar) -> None:
    await broker.listen()


async def stop_hearing(app: Litestar) -> None:
    await broker.stop_listening()


on_startup = [hear_notifications]
on_shutdown = [stop_hearing]
on_duty = [start_ticker, start_retention]
off_duty = [stop_ticker, stop_retention]
