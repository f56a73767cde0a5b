"""Fixtures of the analysis tests: the known network and year of `support`."""

from __future__ import annotations

from typing import Any

import pytest

from analysis.tests.support import Net, build_net, known_year
from conftest import run
from referrals.api import rebuild_figures


@pytest.fixture
def net(db: None) -> Net:
    network = build_net()
    known_year(network)
    # Written straight into the tables, past the outbox: the monthly counts are rebuilt.
    run(rebuild_figures())
    return network


@pytest.fixture
def ask() -> Any:
    """`ask("2026-01", "2026-02", district=..., need=...)`: a German question to the network."""
    from analysis.context import Ask
    from analysis.periods import months_between
    from core.i18n import translations

    def make(first: str, last: str, **filters: Any) -> Ask:
        from datetime import date

        start = date.fromisoformat(first + "-01")
        end = date.fromisoformat(last + "-01")
        return Ask(period=months_between(start, end), lang="de",
                   gettext=translations("de").gettext, **filters)

    return make
