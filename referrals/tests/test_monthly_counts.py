"""The analysis' monthly counts: equal to what the referral tables say after random moves made
at the same time as ticks, rebuilds and event deliveries, the same when rebuilt or delivered twice,
and medians from duration buckets within 1 % of the exact ones.

Runs on the engine of the suite run (SQLite, or PostgreSQL with LOTSE_TEST_DB=postgres)."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from click.testing import CliRunner
from litestar.exceptions import HTTPException

from conftest import run
from outbox.dispatcher import drain
from outbox.registry import OutboxMessage
from referrals import consumers, figure_reads, figures, monthly
from referrals.cli import referrals as referrals_cli
from referrals.figures import Scope, nearest_rank
from referrals.tables import ReferralMonthCount
from referrals.tests.exchange_support import Exchange, build_exchange, new_referral
from referrals.transitions import transition

# Legal moves by state, with the side that makes them and the reason they need.
MOVES: dict[str, list[tuple[str, str, str]]] = {
    "sent": [("accepted", "receiver", ""), ("waitlisted", "receiver", ""),
             ("declined", "receiver", "no_capacity"), ("declined", "receiver", "not_eligible"),
             ("cancelled", "sender", "")],
    "waitlisted": [("accepted", "receiver", ""), ("declined", "receiver", "no_capacity")],
    "accepted": [("in_progress", "receiver", ""), ("completed", "receiver", ""),
                 ("failed", "receiver", "client_unreachable"), ("cancelled", "sender", "")],
    "in_progress": [("completed", "receiver", ""), ("failed", "receiver", "other")],
}
NEEDS = ("language_course", "counselling", "work")
DISTRICTS = ("Styrum", "Altstadt", "Dümpten")


def _this_month() -> tuple[datetime, datetime]:
    return monthly.month_bounds(monthly.month_of(datetime.now(UTC)))


async def _walk(ex: Exchange, referral_id: UUID, rng: random.Random) -> None:
    """Send the referral, then move it at random until it ends (refusals are part of it)."""
    sender, receiver = ex.sender, ex.receiver
    await transition(referral_id, "sent", sender)
    state = "sent"
    while state in MOVES:
        await asyncio.sleep(0)
        to, side, reason = rng.choice(MOVES[state])
        try:
            await transition(referral_id, to, sender if side == "sender" else receiver,
                             reason=reason or None, expected_wait="unknown")
        except HTTPException:
            if rng.random() < 0.3:
                return  # left open, as many are
            continue
        state = to


async def _rebuilds(rounds: int) -> None:
    """Ticks, and now and then a rebuild of everything from the command line."""
    for round_ in range(rounds):
        await (monthly.rebuild() if round_ % 2 else monthly.rebuild_stale())
        await asyncio.sleep(0)


async def _deliveries(rounds: int) -> None:
    for _ in range(rounds):
        await drain()
        await asyncio.sleep(0)


async def _both(start: datetime, end: datetime) -> list[tuple[str, Any, Any]]:
    """Each figure of the network from the counts and from the tables."""
    scope = Scope()
    pairs: list[tuple[str, Any, Any]] = []
    for name, source in (("sent_counts", figures.sent_counts),
                         ("state_counts", figures.state_counts),
                         ("language_counts", figures.language_counts),
                         ("chain_counts", figures.chain_counts),
                         ("provider_counts_by_need", figures.provider_counts_by_need),
                         ("provider_counts_by_organization",
                          figures.provider_counts_by_organization)):
        from_counts = await getattr(figure_reads, name)(start, end, scope)
        pairs.append((name, sorted(from_counts, key=repr),
                      sorted(await source(start, end, scope), key=repr)))
    return pairs


def _close(counted: list[figures.Spread], exact: list[figures.Spread]) -> None:
    by_group = {s.group: s for s in exact}
    assert {s.group for s in counted} == set(by_group)
    for spread in counted:
        truth = by_group[spread.group]
        assert spread.count == truth.count
        for got, want in ((spread.median, truth.median), (spread.p90, truth.p90)):
            # Within the bucket of the exact value: 1 %, or a minute for the shortest.
            assert abs(got - want) <= max(0.01 * want, monthly.SHORTEST_HOURS), spread


def test_counts_equal_the_tables_after_random_moves_beside_ticks_and_deliveries(
        make_org: Any, make_user: Any, make_service: Any) -> None:
    ex = build_exchange(make_org, make_user, make_service, places=4)
    rng = random.Random(11)
    ids = [new_referral(ex, need_category=rng.choice(NEEDS), district=rng.choice(DISTRICTS),
                        languages=rng.sample(["tr", "ar", "de", "uk"], 2),
                        interpreter_needed=rng.random() < 0.5) for _ in range(16)]

    async def everything() -> None:
        await asyncio.gather(*(_walk(ex, referral_id, random.Random(i))
                               for i, referral_id in enumerate(ids)),
                             _rebuilds(4), _deliveries(6))
        await drain()
        await monthly.rebuild_stale()  # the next tick

    run(everything())
    start, end = _this_month()
    for name, from_counts, from_tables in run(_both(start, end)):
        assert from_counts == from_tables, name
    assert run(figure_reads.sent_counts(start, end, Scope())), "nothing was counted"
    scope = Scope()
    answers = run(figure_reads.answer_spreads(start, end, scope))
    exact = run(figures.answer_spreads(start, end, scope))
    for key in ("need", "organization"):
        _close(answers[key], exact[key])
    _close(run(figure_reads.wait_spreads(start, end, scope)),
           run(figures.wait_spreads(start, end, scope)))


def _stored() -> list[tuple[Any, ...]]:
    rows = run(ReferralMonthCount.select())
    return sorted(tuple(v for k, v in r.items() if k != "id") for r in rows)


def test_rebuilding_and_redelivering_change_nothing(exchange: Exchange) -> None:
    referral_id = new_referral(exchange)
    run(transition(referral_id, "sent", exchange.sender))
    run(transition(referral_id, "accepted", exchange.receiver))
    run(drain())
    assert {row[1] for row in _stored()} == {monthly.STALE}, "marked, not yet rebuilt"
    assert run(monthly.rebuild_stale()) == [monthly.month_of(datetime.now(UTC))]
    once = _stored()
    assert any(row[1] == "state" for row in once)
    run(monthly.rebuild())
    assert _stored() == once
    event = OutboxMessage(id=0, topic="referral.transition", attempts=1,
                          payload={"referral_id": str(referral_id)})
    run(consumers.keep_figures([event]))
    run(consumers.keep_figures([event, event]))
    run(monthly.rebuild_stale())
    assert _stored() == once
    assert run(monthly.rebuild_stale()) == []


def test_a_month_the_tables_no_longer_hold_is_dropped_by_a_full_rebuild(db: None) -> None:
    run(ReferralMonthCount.insert(ReferralMonthCount(month="2019-04", measure="sent",
                                                     need="work", number=7)))
    run(monthly.rebuild())
    assert _stored() == []


def test_median_from_buckets_is_within_one_percent_of_the_exact_one() -> None:
    rng = random.Random(3)
    values = [rng.expovariate(1 / 40) for _ in range(2000)] + [12.0] * 7
    rows = [("all", monthly.bucket(v), 1, v) for v in values]
    spread = figure_reads.spreads(rows)[0]
    ordered = sorted(values)
    assert spread.count == len(values)
    assert abs(spread.median - nearest_rank(ordered, 0.5)) <= 0.01 * nearest_rank(ordered, 0.5)
    assert abs(spread.p90 - nearest_rank(ordered, 0.9)) <= 0.01 * nearest_rank(ordered, 0.9)
    # Equal values in a bucket give the value itself.
    assert figure_reads.spreads([("x", monthly.bucket(12.0), 7, 84.0)])[0].median == 12.0


def test_a_period_of_whole_months_is_read_from_the_counts_and_any_other_from_the_tables() -> None:
    start, end = monthly.month_bounds("2026-03")
    assert monthly.months_of(start, monthly.month_bounds("2026-05")[1]) == [
        "2026-03", "2026-04", "2026-05"]
    assert monthly.months_of(start, end) == ["2026-03"]
    assert monthly.months_of(start.replace(hour=5), end) is None
    assert monthly.months_of(start, end.replace(minute=1)) is None


def test_the_command_rebuilds_named_months_and_refuses_a_wrong_one(db: None) -> None:
    result = CliRunner().invoke(referrals_cli, ["figures", "--month", "2026-13"])
    assert result.exit_code != 0
    assert "YYYY-MM" in result.output
    result = CliRunner().invoke(referrals_cli, ["figures", "--month", "2026-03"])
    assert result.exit_code == 0, result.output
    assert "Rebuilt 1 months" in result.output
