"""The figures about referrals: unmet demand, answers, outcomes. Each is built from counts the
referral exchange and search give through their front doors, and protected before it leaves.

In an organisation's own view every count is fetched for the network as well, so that the
rest of the network (network minus own) is protected too (`suppression.Mark.REST`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from analysis import shapes, suppression
from analysis.context import Ask, top_category
from analysis.shapes import Cell, Chart, Figure, Row, Table
from core.i18n import N_
from directory import api as directory
from referrals import api as referrals
from search import api as search

T = TypeVar("T")
Series = dict[tuple[str, str], list[int]]
FUNNEL = ("accepted", "waitlisted", "declined", "in_progress", "completed", "failed",
          "cancelled")
DEMAND = (
    ("declined_no_place", N_("Declined for lack of a free place"), "declined", "no_capacity"),
    ("expired", N_("Expired unanswered"), "cancelled", "answer_expired"),
    ("waitlisted", N_("Put on a waitlist"), "waitlisted", ""),
)

Fetch = Callable[[datetime, datetime, referrals.FigureScope], Awaitable[list[T]]]


async def _once(ask: Ask, fetch: Fetch[T], scope: referrals.FigureScope) -> list[T]:
    key = (fetch.__qualname__, scope)
    if key not in ask.memo:
        ask.memo[key] = await fetch(ask.period.start, ask.period.end, scope)
    found: list[T] = ask.memo[key]
    return found


async def remembered(ask: Ask, fetch: Callable[[], Awaitable[T]]) -> T:
    """A reading that does not depend on the period (offers, districts), once per report:
    a state's offers take a few hundred milliseconds to count."""
    key = (fetch.__module__, fetch.__qualname__)
    if key not in ask.memo:
        ask.memo[key] = await fetch()
    found: T = ask.memo[key]
    return found


async def twice(ask: Ask, fetch: Fetch[T]) -> tuple[list[T], list[T] | None]:
    """The rows of the asked scope, and in an organisation's view the network's as well."""
    own = await _once(ask, fetch, ask.scope)
    if not ask.own:
        return own, None
    return own, await _once(ask, fetch, referrals.FigureScope())


def rest_of_network(ask: Ask, network: Series | None, own: Series) -> Series | None:
    return shapes.minus(network, own, len(ask.months))


async def unmet_demand(ask: Ask) -> Figure:
    _ = ask._
    states, network_states = await twice(ask, referrals.state_counts)
    known = await remembered(ask, directory.district_names)
    months = len(ask.months)
    everything = states + (network_states or [])
    districts = ask.district_columns({s.district for s in everything}, known)
    needs = ask.need_rows({s.need for s in everything})

    own_demand = _demand(ask, states)
    network_demand = _demand(ask, network_states) if network_states else None

    tables: list[Table] = []
    if not ask.own:
        # Searches are not tied to an organisation: they belong to the network's view only.
        found = await search.no_place_by_month(ask.period.first, ask.period.last_day)
        pairs = [((top_category(s.category), s.district), s.month, s.searches) for s in found]
        tables.append(shapes.count_table(
            "searches", _("Searches that found no free place"), _("Offer category"),
            ask.category_rows({c for (c, _d), _m, _n in pairs}),
            ask.district_columns({d for (_c, d), _m, _n in pairs}, known),
            shapes.series(pairs, ask.months), months, ask.total_label,
            ask.keep_category, ask.keep_district))
    monthly_rows: list[tuple[str, str, Series, Series | None]] = []
    for key, title, _state, _reason in DEMAND:
        own = own_demand[key]
        network = network_demand[key] if network_demand else None
        rest = rest_of_network(ask, network, own)
        tables.append(shapes.count_table(key, _(title), _("Need"), needs, districts, own, months,
                                         ask.total_label, ask.keep_need, ask.keep_district,
                                         rest))
        monthly_rows.append((key, _(title), own, rest))
    tables.append(await _wait_table(ask))
    tables.append(_by_month(ask, monthly_rows))
    return Figure(key="demand", title=_("Unmet demand"),
                  description=_("Searches without a free place, referrals declined for lack of "
                                "a place, referrals that expired unanswered, and waitlists, by "
                                "need or offer category and district."),
                  tables=tables, chart=Chart(kind="lines", table="demand_by_month"))


def _demand(ask: Ask, rows: list[referrals.StateCount]) -> dict[str, Series]:
    """Monthly series per (need, district) of each measure of DEMAND, in one pass over the
    state counts (hundreds of thousands at state size). A measure without a reason counts
    the state whatever the reason."""
    index = {m: i for i, m in enumerate(ask.months)}
    found: dict[str, Series] = {key: {} for key, _t, _s, _r in DEMAND}
    targets: dict[tuple[str, str], list[Series]] = {}
    for s in rows:
        month = index.get(s.month)
        if month is None:
            continue
        into = targets.get((s.state, s.reason))
        if into is None:
            into = targets[(s.state, s.reason)] = [
                found[key] for key, _t, state, reason in DEMAND
                if s.state == state and (not reason or s.reason == reason)]
        for series in into:
            counts = series.get((s.need, s.district))
            if counts is None:
                counts = series[(s.need, s.district)] = [0] * len(ask.months)
            counts[month] += s.count
    return found


def _by_month(ask: Ask, measures: list[tuple[str, str, Series, Series | None]]) -> Table:
    """Each measure of the network (or the organisation) by month, over every need and
    district: a table of measures x months protected like any other, whatever the filters."""
    rows = [(key, label) for key, label, _own, _rest in measures]
    monthly: dict[str, Series] = {}
    others: dict[str, Series | None] = {}
    for key, _label, own, rest in measures:
        for month_index, month in enumerate(ask.months):
            monthly.setdefault(key, {})
            monthly[key][(key, month)] = [
                sum(series[i] for series in own.values()) if i == month_index else 0
                for i in range(len(ask.months))]
            if rest is not None:
                others.setdefault(key, {})
                others[key][(key, month)] = [  # type: ignore[index]
                    sum(series[i] for series in rest.values()) if i == month_index else 0
                    for i in range(len(ask.months))]
    out = []
    for key, label in rows:
        table = shapes.count_table(key, label, "", [(key, label)], ask.month_columns(),
                                   monthly[key], len(ask.months), ask.total_label,
                                   others=others.get(key))
        out.append(Row(key=key, label=label, cells=table.rows[0].cells))
    columns = ask.month_columns()
    with_total = len(columns) > 1
    return Table(key="demand_by_month", title=ask._("By month (all needs and districts)"),
                 row_heading="", column_keys=[m for m, _l in columns] + (["total"] * with_total),
                 columns=[label for _m, label in columns] + ([ask.total_label] * with_total),
                 rows=out)


async def _wait_table(ask: Ask) -> Table:
    """How many waited and how long: the counts are protected by month (and against the rest
    of the network) like every other count, and a hidden count hides its durations too."""
    _ = ask._
    spreads = await referrals.wait_spreads(ask.period.start, ask.period.end, ask.scope)
    counts, network = await twice(ask, referrals.wait_counts)
    found = {s.group: s for s in spreads}
    needs = [n for n, _l in ask.need_rows(set(found) | {c.need for c in counts})]

    def series(rows: list[referrals.WaitCount]) -> Series:
        return shapes.series([((c.need, "count"), c.month, c.count) for c in rows], ask.months)

    own = series(counts)
    protected = suppression.protect(suppression.build(
        needs, ["count"], own, len(ask.months),
        rest_of_network(ask, series(network), own) if network is not None else None))
    rows = []
    for need, label in ask.need_rows(set(found) | {c.need for c in counts}):
        if not ask.keep_need(need):
            continue
        spread = found.get(need)
        value = shapes.cell(protected.cell(need, "count"))
        if protected.cell(need, "count").hidden or spread is None:
            # Durations say no more than their count may ("< 5", "•", or "–" for none).
            blank = Cell(text=value.text if value.value is None else "–", value=None)
            rows.append(Row(key=need, label=label, cells=[value, blank, blank]))
            continue
        rows.append(Row(key=need, label=label, cells=[
            value, shapes.duration_cell(spread.median, spread.count, "d"),
            shapes.duration_cell(spread.p90, spread.count, "d")]))
    return Table(key="waits", title=_("Waiting time from the waitlist to a place"),
                 row_heading=_("Need"), column_keys=["count", "median", "p90"],
                 columns=[_("Referrals given a place"), _("Median"), _("90th percentile")],
                 rows=rows)


async def answers(ask: Ask) -> Figure:
    _ = ask._
    counts, network = await twice(ask, referrals.provider_counts_by_organization)
    by_need_counts, network_by_need = await twice(ask, referrals.provider_counts_by_need)
    spreads = await referrals.answer_spreads(ask.period.start, ask.period.end, ask.scope)
    sent: dict[str, int] = defaultdict(int)
    for c in counts:
        sent[c.group] += c.sent
    names = await directory.organization_names({UUID(group) for group in sent})
    orgs = [(str(o), name) for o, name in names.items()]
    orgs.sort(key=lambda pair: (-sent[pair[0]], pair[1]))
    tables = [
        _answer_table(ask, "answers_by_provider", _("Answers by provider organisation"),
                      _("Provider organisation"), orgs, counts, network,
                      {s.group: s for s in spreads["organization"]}),
        _answer_table(ask, "answers_by_need", _("Answers by need"), _("Need"),
                      [r for r in ask.need_rows({c.group for c in by_need_counts})
                       if ask.keep_need(r[0])],
                      by_need_counts, network_by_need, {s.group: s for s in spreads["need"]}),
    ]
    return Figure(key="answers", title=_("Answers"),
                  description=_("Time from sending to the answer (median and 90th percentile) "
                                "and the share answered within the deadline."),
                  tables=tables, chart=Chart(kind="bars", table="answers_by_need", column=3,
                                             unit="h"))


def _answer_table(ask: Ask, key: str, title: str, heading: str, rows: list[tuple[str, str]],
                  counts: list[referrals.ProviderCount],
                  network: list[referrals.ProviderCount] | None,
                  spreads: dict[str, referrals.Spread]) -> Table:
    _ = ask._
    measures = [("sent", _("Sent")), ("answered", _("Answered")), ("in_time", "")]

    def by_measure(source: list[referrals.ProviderCount]) -> dict[str, Series]:
        return {
            "sent": shapes.series([((c.group, "all"), c.month, c.sent) for c in source],
                                  ask.months),
            "answered": shapes.series([((c.group, "all"), c.month, c.answered)
                                       for c in source], ask.months),
            "in_time": shapes.series([((c.group, "all"), c.month, c.in_time)
                                      for c in source], ask.months)}

    monthly = by_measure(counts)
    others = None
    if network is not None:
        whole = by_measure(network)
        others = {m: rest_of_network(ask, whole[m], monthly[m]) for m, _l in measures}
    cells, totals = shapes.measure_columns(rows, ["all"], measures, monthly, len(ask.months),
                                           others=others)
    zero = [0] * len(ask.months)
    out = []
    for row, label in rows:
        spread = spreads.get(row)
        count = spread.count if spread else 0
        answered = monthly["answered"].get((row, "all"), zero)
        share = suppression.safe_share(monthly["in_time"].get((row, "all"), zero), answered)
        share_cell = shapes.share_cell(share) if sum(answered) else Cell(text="–", value=None)
        out.append(Row(key=row, label=label, cells=[
            cells[(row, "sent")], cells[(row, "answered")], share_cell,
            shapes.duration_cell(spread.median if spread else None, count, "h"),
            shapes.duration_cell(spread.p90 if spread else None, count, "h")]))
    blank = Cell(text="", value=None)
    return Table(key=key, title=title, row_heading=heading,
                 column_keys=["sent", "answered", "in_time_share", "median", "p90"],
                 columns=[_("Sent"), _("Answered"), _("Answered within the deadline"),
                          _("Median time to answer"), _("90th percentile")],
                 rows=out, total=Row(key="total", label=ask.total_label,
                                     cells=[totals["sent"], totals["answered"], blank, blank,
                                            blank]))
