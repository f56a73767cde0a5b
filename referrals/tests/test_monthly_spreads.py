"""Medians and 90th percentiles of the stored duration buckets, worked out in the database,
equal those worked out from the same buckets fetched (`figure_reads.spreads`).

Runs on the engine of the suite run (SQLite, or PostgreSQL with LOTSE_TEST_DB=postgres)."""

from __future__ import annotations

import random

import pytest

from conftest import run
from referrals import figure_reads, monthly
from referrals.tables import ReferralMonthCount

MONTHS = ("2026-01", "2026-02", "2026-03")
# Odd and even numbers of cases, so the ranks fall on either side of a half and a tenth.
SIZES = {"one": 1, "ten": 10, "seventy-one": 71, "many": 400}


def _store(rng: random.Random) -> list[tuple[str, str, int, int, float]]:
    """Stored buckets of answer hours by group and month: (month, group, bucket, n, hours)."""
    rows = []
    for group, size in SIZES.items():
        found: dict[tuple[str, int], list[float]] = {}
        for _ in range(size):
            hours = rng.choice((rng.expovariate(1 / 30), 12.0, 0.001))
            slot = found.setdefault((rng.choice(MONTHS), monthly.bucket(hours)), [0, 0.0])
            slot[0] += 1
            slot[1] += hours
        rows += [(month, group, b, int(n), total) for (month, b), (n, total) in found.items()]
    run(ReferralMonthCount.insert(*[
        ReferralMonthCount(month=m, measure="answer_hours_org", grp=g, bucket=b, number=n,
                           hours=h) for m, g, b, n, h in rows]))
    return rows


def test_answer_percentiles_from_the_database_equal_those_from_the_fetched_buckets(
        db: None) -> None:
    rows = _store(random.Random(4))
    for months in (list(MONTHS), ["2026-02", "2026-03"]):
        fetched = {s.group: s for s in figure_reads.spreads(
            (g, b, n, h) for m, g, b, n, h in rows if m in months)}
        counted = {s.group: s for s in run(figure_reads.bucket_spreads(
            "answer_hours_org", "grp", months))}
        assert set(counted) == set(fetched)
        for group, spread in counted.items():
            want = fetched[group]
            assert spread.count == want.count
            # The same buckets added up in another order: equal but for the last bits.
            assert spread.median == pytest.approx(want.median, rel=1e-12)
            assert spread.p90 == pytest.approx(want.p90, rel=1e-12)
