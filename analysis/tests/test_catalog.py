"""The catalogue's builders pause the cyclic garbage collector while figures are built, and
leave it as they found it, however the figures end."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

from analysis import catalog


def test_the_collector_runs_again_after_figures_built_at_once_even_when_one_fails() -> None:
    seen: list[bool] = []

    async def figure(ask: Any) -> Any:
        seen.append(gc.isenabled())
        await asyncio.sleep(0.01)
        if ask == "fails":
            raise RuntimeError(ask)
        return ask

    async def both() -> list[Any]:
        built: Any = catalog._paused(figure)
        return list(await asyncio.gather(built("fine"), built("fails"),
                                         return_exceptions=True))

    assert gc.isenabled()
    results = asyncio.run(both())
    assert results[0] == "fine" and isinstance(results[1], RuntimeError)
    assert seen == [False, False]
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off() -> None:
    async def figure(ask: Any) -> Any:
        return ask

    gc.disable()
    try:
        built: Any = catalog._paused(figure)
        assert asyncio.run(built("x")) == "x"
        assert not gc.isenabled()
    finally:
        gc.enable()

