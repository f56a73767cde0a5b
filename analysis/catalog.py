"""Every figure of the analysis by its key, in the order the page, the exports and the report
show them, and which of them each kind of reader may see."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from analysis import figures, figures_network, figures_outcomes
from analysis.context import Ask
from analysis.shapes import Figure

Builder = Callable[[Ask], Awaitable[Figure]]
# One entry per figure being built, in any task; the first: whether the collector was on.
_building: list[bool] = []


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A state's figure is built from hundreds of thousands of counts in lists and tuples,
    none in a cycle; the cyclic collector walked them again and again (half of the time). It
    waits until no figure is being built; plain reference counting frees everything meanwhile."""
    _building.append(gc.isenabled() if not _building else False)
    gc.disable()
    try:
        yield
    finally:
        if _building.pop():
            gc.enable()


def _paused(build: Builder) -> Builder:
    @wraps(build)
    async def paused(ask: Ask) -> Figure:
        with _collector_paused():
            return await build(ask)

    return paused


FIGURES: dict[str, Builder] = {key: _paused(build) for key, build in {
    "demand": figures.unmet_demand,
    "answers": figures.answers,
    "outcomes": figures_outcomes.outcomes,
    "capacity": figures_network.capacity,
    "languages": figures_network.languages,
    "coverage": figures_network.coverage,
    "chains": figures_network.chains,
}.items()}
KEYS: tuple[str, ...] = tuple(FIGURES)
# A case manager's own view: the outcomes of the referrals their organisation sent.
CASE_MANAGER_KEYS: tuple[str, ...] = ("outcomes",)


async def build(ask: Ask, keys: tuple[str, ...] = KEYS) -> list[Figure]:
    return [await FIGURES[key](ask) for key in keys]
