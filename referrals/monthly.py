"""The analysis' monthly counts (`ReferralMonthCount`): rebuilt per Berlin month from the
referral tables, and kept current by the `referral.transition` events: the outbox consumer
marks the months a batch touches as stale (cheap, so notifications and mail behind it in the
dispatcher do not wait), and the referral exchange's tick rebuilds each stale month once.

A month's rows are always recomputed whole from the source, never incremented: an event
delivered twice, a rebuild from the command line beside the outbox, or two workers rebuilding
the same month give the same rows, because each rebuild replaces the month with what the tables
hold at that moment, and the last one to run has seen every transition whose event was taken.
Two rebuilds of one month queue behind a lock (SQLite: the write transaction; PostgreSQL: an
advisory lock per month).

Two families of months: a referral's *cohort* measures belong to the month it was sent (its
later answers land there too), its *chain* to the month it was completed (what the same client
was referred to next changes when that client's next referral is sent).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from core.db import atomic, engine, is_sqlite
from core.time import BERLIN, in_berlin
from referrals import figures
from referrals.figures import Scope
from referrals.tables import Referral, ReferralMonthCount

COHORT = ("sent", "interpreter", "answered", "in_time", "state", "org_sent", "org_answered",
          "org_in_time", "language", "answer_hours", "answer_hours_org", "wait_hours")
CHAIN = ("chain",)
# A row of this measure says the month's counts lag behind the tables until the next tick.
STALE = "stale"
# Durations fall into buckets 1 % wide; a bucket keeps its count and the sum of its hours, so a
# median over months is the mean of the bucket it falls in: within 1 % of the exact value, and
# exact when the values in that bucket are equal.
RATIO = 1.01
SHORTEST_HOURS = 1 / 60


def bucket(hours: float) -> int:
    """The bucket of a duration; everything up to a minute shares the lowest."""
    return math.floor(math.log(max(hours, SHORTEST_HOURS)) / math.log(RATIO))


def month_of(moment: datetime) -> str:
    return in_berlin(moment).strftime("%Y-%m")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of the Berlin month and of the next, in UTC (ValueError: no month)."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ValueError(f"not a month: {month!r}")
    year, number = int(month[:4]), int(month[5:7])
    after = date(year + (number == 12), number % 12 + 1, 1)
    return (datetime(year, number, 1, tzinfo=BERLIN).astimezone(UTC),
            datetime(after.year, after.month, 1, tzinfo=BERLIN).astimezone(UTC))


def months_of(start: datetime, end: datetime) -> list[str] | None:
    """The whole Berlin months from `start` to `end`; None when they are not month bounds."""
    month = month_of(start)
    first, after = month_bounds(month)
    if first != start:
        return None
    months = [month]
    while after < end:
        month = month_of(after)
        after = month_bounds(month)[1]
        months.append(month)
    return months if after == end else None


async def _lock(month: str) -> None:
    if not is_sqlite():
        await Referral.raw("SELECT pg_advisory_xact_lock(hashtext({}))",
                           f"referral_month_count:{month}")


Count = tuple[str, str, str, str, str, str, str, int, int, float]
COLUMNS = ("month", "measure", "need", "district", "grp", "state", "reason", "bucket", "number",
           "hours")


def _row(month: str, measure: str, count: int, *, need: str = "", district: str = "",
         grp: str = "", state: str = "", reason: str = "", bucket_: int = 0,
         hours: float = 0.0) -> Count:
    return (month, measure, need, district, grp, state, reason, bucket_, count, hours)


async def _durations(start: datetime, end: datetime) -> tuple[list[dict[str, Any]],
                                                             list[dict[str, Any]]]:
    """Hours to the answer (by need and receiving organisation) and from the waitlist to a
    place (by need), one row per case and without anything about the case but its group."""
    where, args = figures._where(start, end, Scope())
    answers = list(await Referral.raw(
        "SELECT r.need_category AS need, r.recipient_organization AS org,"
        f" {figures._hours('r.answered_at', 'r.sent_at')} AS h FROM referral r"
        f" WHERE {where} AND r.answered_at IS NOT NULL", *args))
    waits = list(await Referral.raw(
        f"SELECT r.need_category AS need, {figures._hours('t.at', 'r.waitlisted_at')} AS h"
        " FROM referral r JOIN referral_transition t ON t.referral = r.id"
        " AND t.from_state = 'waitlisted' AND t.to_state = 'accepted'"
        f" WHERE {where} AND r.waitlisted_at IS NOT NULL", *args))
    return answers, waits


def _buckets(month: str, measure: str, pairs: Iterable[tuple[str, float]],
             by: str) -> list[Count]:
    found: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0, 0.0])
    for group, hours in pairs:
        slot = found[(group, bucket(hours))]
        slot[0] += 1
        slot[1] += hours
    return [_row(month, measure, int(n), bucket_=b, hours=total, **{by: group})
            for (group, b), (n, total) in found.items()]


async def cohort_rows(month: str) -> list[Count]:
    """The month's cohort measures, computed from the referral tables."""
    start, end = month_bounds(month)
    scope = Scope()
    rows: list[Count] = []
    for s in await figures.sent_counts(start, end, scope):
        rows.append(_row(month, "sent", s.sent, need=s.need, district=s.district))
        if s.interpreter:
            rows.append(_row(month, "interpreter", s.interpreter, need=s.need,
                             district=s.district))
    for c in await figures.state_counts(start, end, scope):
        rows.append(_row(month, "state", c.count, need=c.need, district=c.district,
                         state=c.state, reason=c.reason))
    for p in await figures.provider_counts(start, end, scope, "organization"):
        rows += [_row(month, f"org_{m}", n, grp=p.group) for m, n in
                 (("sent", p.sent), ("answered", p.answered), ("in_time", p.in_time)) if n]
    for p in await figures.provider_counts(start, end, scope, "need_district"):
        need, _sep, district = p.group.partition("\x1f")
        rows += [_row(month, m, n, need=need, district=district) for m, n in
                 (("answered", p.answered), ("in_time", p.in_time)) if n]
    for lang in await figures.language_counts(start, end, scope):
        rows.append(_row(month, "language", lang.count, need=lang.need, grp=lang.language))
    answers, waits = await _durations(start, end)
    rows += _buckets(month, "answer_hours", ((a["need"], float(a["h"])) for a in answers),
                     "need")
    rows += _buckets(month, "answer_hours_org", ((str(a["org"]), float(a["h"])) for a in answers),
                     "grp")
    rows += _buckets(month, "wait_hours", ((w["need"], float(w["h"])) for w in waits), "need")
    return rows


async def chain_rows(month: str) -> list[Count]:
    start, end = month_bounds(month)
    return [_row(month, "chain", c.count, need=c.done, grp=c.following)
            for c in await figures.chain_counts(start, end, Scope())]


async def _replace(month: str, measures: tuple[str, ...], rows: list[Count]) -> None:
    await ReferralMonthCount.delete().where(
        (ReferralMonthCount.month == month) & ReferralMonthCount.measure.is_in(list(measures)))
    transaction = engine().current_transaction.get()
    if not rows or transaction is None:
        return
    # Straight to the driver: a Piccolo object per count made a month's rebuild ten times
    # slower than its queries.
    if is_sqlite():
        marks = ", ".join("?" for _ in COLUMNS)
        await transaction.connection.executemany(
            f"INSERT INTO referral_month_count ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
    else:
        await transaction.connection.copy_records_to_table(
            "referral_month_count", records=rows, columns=list(COLUMNS))


async def rebuild_month(month: str, *, cohort: bool = True, chains: bool = True,
                        only_stale: bool = False) -> int:
    """Replace the month's counts with what the referral tables hold now; returns the rows.
    `only_stale`: unless another process rebuilt the month since it was marked."""
    async with atomic():
        await _lock(month)
        # Marks taken away before the tables are read: a transition after this read marks
        # the month again, and the next tick sees it.
        marks = await ReferralMonthCount.delete().where(
            (ReferralMonthCount.month == month) & (ReferralMonthCount.measure == STALE)
        ).returning(ReferralMonthCount.month)
        if only_stale and not marks:
            return 0
        written = 0
        if cohort:
            rows = await cohort_rows(month)
            await _replace(month, COHORT, rows)
            written += len(rows)
        if chains:
            rows = await chain_rows(month)
            await _replace(month, CHAIN, rows)
            written += len(rows)
        return written


async def stored() -> int:
    """How many counts are stored (0: never built)."""
    return int(await ReferralMonthCount.count())


async def source_months() -> tuple[set[str], set[str]]:
    """Every month that has referrals sent (cohorts) and completed (chains)."""
    sent = await Referral.raw(f"SELECT DISTINCT {figures._month('sent_at')} AS m FROM referral"
                              " WHERE sent_at IS NOT NULL")
    done = await Referral.raw(f"SELECT DISTINCT {figures._month('closed_at')} AS m"
                              " FROM referral WHERE state = 'completed'"
                              " AND closed_at IS NOT NULL")
    return {r["m"] for r in sent}, {r["m"] for r in done}


async def rebuild(months: Iterable[str] | None = None) -> dict[str, int]:
    """Rebuild the named months, or every month (dropping months the tables no longer hold)."""
    cohorts, chains = await source_months()
    if months is None:
        stored = {r["month"] for r in await ReferralMonthCount.select(
            ReferralMonthCount.month).distinct()}
        for gone in sorted(stored - cohorts - chains):
            async with atomic():
                await _lock(gone)
                await ReferralMonthCount.delete().where(ReferralMonthCount.month == gone)
        months = cohorts | chains
    return {m: await rebuild_month(m) for m in sorted(set(months))}


async def affected_months(referral_ids: list[UUID]) -> tuple[set[str], set[str]]:
    """The cohort months of these referrals, and the chain months of their clients."""
    if not referral_ids:
        return set(), set()
    rows = await Referral.select(Referral.client, Referral.sent_at).where(
        Referral.id.is_in(referral_ids))
    cohorts = {month_of(r["sent_at"]) for r in rows if r["sent_at"] is not None}
    clients = list({r["client"] for r in rows})
    done = await Referral.select(Referral.closed_at).where(
        Referral.client.is_in(clients) & (Referral.state == "completed")
        & Referral.closed_at.is_not_null()) if clients else []
    return cohorts, {month_of(r["closed_at"]) for r in done}


async def mark_stale(referral_ids: list[UUID]) -> set[str]:
    """Mark the months these referrals touch for the next tick (the outbox consumer)."""
    cohorts, chains = await affected_months(referral_ids)
    months = cohorts | chains
    if months:
        await ReferralMonthCount.insert(*[ReferralMonthCount(month=m, measure=STALE, number=1)
                                          for m in sorted(months)])
    return months


async def rebuild_stale() -> list[str]:
    """Rebuild every month marked stale, once each (the tick); returns the months rebuilt."""
    rows = await ReferralMonthCount.select(ReferralMonthCount.month).where(
        ReferralMonthCount.measure == STALE).distinct()
    done = []
    for month in sorted({r["month"] for r in rows}):
        await rebuild_month(month, only_stale=True)
        done.append(month)
    return done
