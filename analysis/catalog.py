"""Every figure of the analysis by its key, in the order the page, the exports and the report
show them, and which of them each kind of reader may see."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from analysis import figures, figures_network, figures_outcomes
from analysis.context import Ask
from analysis.shapes import Figure

Builder = Callable[[Ask], Awaitable[Figure]]

FIGURES: dict[str, Builder] = {
    "demand": figures.unmet_demand,
    "answers": figures.answers,
    "outcomes": figures_outcomes.outcomes,
    "capacity": figures_network.capacity,
    "languages": figures_network.languages,
    "coverage": figures_network.coverage,
    "chains": figures_network.chains,
}
KEYS: tuple[str, ...] = tuple(FIGURES)
# A case manager's own view: the outcomes of the referrals their organisation sent.
CASE_MANAGER_KEYS: tuple[str, ...] = ("outcomes",)


async def build(ask: Ask, keys: tuple[str, ...] = KEYS) -> list[Figure]:
    return [await FIGURES[key](ask) for key in keys]
