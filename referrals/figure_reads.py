"""The figures the analysis asks the referral exchange for: the network's from the monthly
counts (`referrals.monthly`), an organisation's own from the referral tables (its referrals are
few and found by index), and any period that is not whole months from the tables as well.

Each function has the signature and answer of its namesake in `referrals.figures`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from piccolo.querystring import QueryString

from core.db import engine, is_sqlite
from referrals import figures, monthly
from referrals.figures import (
    ChainCount,
    LanguageCount,
    ProviderCount,
    Scope,
    SentCount,
    Spread,
    StateCount,
    WaitCount,
)

DURATIONS = ("answer_hours", "answer_hours_org", "wait_hours")
# Off: every figure from the tables (the benchmark's comparison, a check of the counts).
READ_COUNTS = True


def _months(start: datetime, end: datetime, scope: Scope) -> list[str] | None:
    """The months to read from the counts; None: ask the tables."""
    if not READ_COUNTS or scope.senders or scope.recipients:
        return None
    return monthly.months_of(start, end)


async def _read(measures: tuple[str, ...], months: list[str]) -> list[Any]:
    """The counts of these measures and months, as the driver gives them (asyncpg records or
    SQLite rows, both read by column name): a dict per row cost more than the query."""
    marks = ", ".join("{}" for _ in months)
    kinds = ", ".join("{}" for _ in measures)
    query = QueryString(
        "SELECT month, measure, need, district, grp, state, reason, bucket, number AS count,"
        f" hours FROM referral_month_count WHERE measure IN ({kinds}) AND month IN ({marks})",
        *measures, *months)
    return list(await engine().run_querystring(query))


async def _added(columns: str, sums: dict[str, tuple[str, ...]], months: list[str]
                 ) -> list[Any]:
    """The counts of the months added up in the database by `columns`, a sum per name over its
    measures: a state's year holds about a row per count, too many to add up here."""
    measures = [m for listed in sums.values() for m in listed]
    added = ", ".join(
        "SUM(CASE WHEN measure IN ({}) THEN number ELSE 0 END) AS {}".format(
            ", ".join("{}" for _ in listed), name) for name, listed in sums.items())
    query = QueryString(
        f"SELECT {columns}, {added} FROM referral_month_count"
        f" WHERE measure IN ({', '.join('{}' for _ in measures)})"
        f" AND month IN ({', '.join('{}' for _ in months)}) GROUP BY {columns}",
        *measures, *measures, *months)
    return list(await engine().run_querystring(query))


async def sent_counts(start: datetime, end: datetime, scope: Scope) -> list[SentCount]:
    months = _months(start, end, scope)
    if months is None:
        return await figures.sent_counts(start, end, scope)
    return [SentCount(need=r["need"], district=r["district"], month=r["month"], sent=r["sent"],
                      interpreter=r["interpreter"])
            for r in await _added("need, district, month",
                                  {"sent": ("sent",), "interpreter": ("interpreter",)}, months)]


async def state_counts(start: datetime, end: datetime, scope: Scope) -> list[StateCount]:
    months = _months(start, end, scope)
    if months is None:
        return await figures.state_counts(start, end, scope)
    # A row per group and month already: only the columns asked for travel.
    query = QueryString(
        "SELECT need, district, month, state, reason, number FROM referral_month_count"
        f" WHERE measure = 'state' AND month IN ({', '.join('{}' for _ in months)})", *months)
    return [StateCount(need=r["need"], district=r["district"], month=r["month"],
                       state=r["state"], reason=r["reason"], count=r["number"])
            for r in await engine().run_querystring(query)]


async def provider_counts_by_organization(start: datetime, end: datetime,
                                          scope: Scope) -> list[ProviderCount]:
    months = _months(start, end, scope)
    if months is None:
        return await figures.provider_counts(start, end, scope, "organization")
    return [ProviderCount(group=r["grp"], month=r["month"], sent=r["sent"],
                          answered=r["answered"], in_time=r["in_time"])
            for r in await _added("grp, month", {"sent": ("org_sent",), "answered": (
                "org_answered",), "in_time": ("org_in_time",)}, months)]


async def provider_counts_by_need(start: datetime, end: datetime,
                                  scope: Scope) -> list[ProviderCount]:
    months = _months(start, end, scope)
    if months is None:
        return await figures.provider_counts(start, end, scope, "need")
    return [ProviderCount(group=r["need"], month=r["month"], sent=r["sent"],
                          answered=r["answered"], in_time=r["in_time"])
            for r in await _added("need, month", {"sent": ("sent",), "answered": ("answered",),
                                                  "in_time": ("in_time",)}, months)]


async def language_counts(start: datetime, end: datetime,
                          scope: Scope) -> list[LanguageCount]:
    months = _months(start, end, scope)
    if months is None:
        return await figures.language_counts(start, end, scope)
    return [LanguageCount(need=r["need"], month=r["month"], language=r["grp"], count=r["count"])
            for r in await _read(("language",), months)]


async def chain_counts(start: datetime, end: datetime, scope: Scope) -> list[ChainCount]:
    months = _months(start, end, scope)
    if months is None:
        return await figures.chain_counts(start, end, scope)
    return [ChainCount(done=r["need"], following=r["grp"], month=r["month"], count=r["count"])
            for r in await _read(("chain",), months)]


def spreads(rows: Iterable[tuple[str, int, int, float]]) -> list[Spread]:
    """Median and 90th percentile (nearest rank) per group from (group, bucket, count, hours)
    rows of any months: the mean of the bucket the rank falls in."""
    grouped: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0.0]))
    for group, slot, count, hours in rows:
        cell = grouped[group][slot]
        cell[0] += count
        cell[1] += hours
    found = []
    for group, slots in grouped.items():
        ordered = [slots[b] for b in sorted(slots)]
        total = int(sum(c for c, _h in ordered))

        def at(share: float, ordered: list[list[float]] = ordered, total: int = total) -> float:
            rank, seen = max(1, math.ceil(share * total)), 0.0
            for count, hours in ordered:
                seen += count
                if seen >= rank:
                    return hours / count
            return ordered[-1][1] / ordered[-1][0]

        found.append(Spread(group=group, count=total, median=at(0.5), p90=at(0.9)))
    return found


async def answer_spreads(start: datetime, end: datetime, scope: Scope
                         ) -> dict[str, list[Spread]]:
    months = _months(start, end, scope)
    if months is None:
        return await figures.answer_spreads(start, end, scope)
    return {"need": await bucket_spreads("answer_hours", "need", months),
            "organization": await bucket_spreads("answer_hours_org", "grp", months)}


def _rank(share: float) -> str:
    """`max(1, ceil(share * total))` in SQL, with the product in floating point as in Python."""
    product = f"(CAST({share!r} AS DOUBLE PRECISION) * CAST(total AS DOUBLE PRECISION))"
    if is_sqlite():
        # SQLite is not always built with ceil().
        return (f"MAX(1, CAST({product} AS INTEGER) + ({product} > CAST({product} AS INTEGER)))")
    return f"CAST(GREATEST(1, CEIL({product})) AS BIGINT)"


async def bucket_spreads(measure: str, column: str, months: list[str]) -> list[Spread]:
    """`spreads` of one measure's buckets (grouped by `column`), worked out in the database:
    a state's providers have about a bucket row per answer, too many to fetch."""
    # The measure is written into the query, so that the planner sees that the index of one
    # measure (`referral_month_count_answers_by_provider`) applies.
    if measure not in DURATIONS:
        raise ValueError(f"not a duration: {measure!r}")
    marks = ", ".join("{}" for _ in months)
    at = {share: f"(upto >= r{i} AND upto - n < r{i})" for i, share in enumerate((0.5, 0.9))}
    query = QueryString(
        # Integers for the running sums: PostgreSQL adds up bigints as numeric, far slower.
        f"WITH b AS (SELECT {column} AS grp, bucket, CAST(SUM(number) AS INTEGER) AS n,"
        " SUM(hours) AS h"
        f" FROM referral_month_count WHERE measure = '{measure}' AND month IN ({marks})"
        " GROUP BY 1, 2),"
        " c AS (SELECT grp, n, h, SUM(n) OVER (PARTITION BY grp ORDER BY bucket) AS upto,"
        " SUM(n) OVER (PARTITION BY grp) AS total FROM b),"
        f" r AS (SELECT grp, n, h, upto, total, {_rank(0.5)} AS r0, {_rank(0.9)} AS r1 FROM c)"
        f" SELECT grp, total, h / n AS mean, {at[0.5]} AS median, {at[0.9]} AS p90"
        f" FROM r WHERE {at[0.5]} OR {at[0.9]}", *months)
    found: dict[str, dict[str, float]] = defaultdict(dict)
    for r in await engine().run_querystring(query):
        found[r["grp"]]["count"] = r["total"]
        for share in ("median", "p90"):
            if r[share]:
                found[r["grp"]][share] = r["mean"]
    return [Spread(group=group, count=int(v["count"]), median=v["median"], p90=v["p90"])
            for group, v in found.items()]


async def wait_spreads(start: datetime, end: datetime, scope: Scope) -> list[Spread]:
    months = _months(start, end, scope)
    if months is None:
        return await figures.wait_spreads(start, end, scope)
    return await bucket_spreads("wait_hours", "need", months)


async def wait_counts(start: datetime, end: datetime, scope: Scope) -> list[WaitCount]:
    months = _months(start, end, scope)
    if months is None:
        return await figures.wait_counts(start, end, scope)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r in await _read(("wait_hours",), months):
        counts[(r["need"], r["month"])] += r["count"]
    return [WaitCount(need=n, month=m, count=c) for (n, m), c in counts.items()]
