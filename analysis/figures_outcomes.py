"""The outcomes figure: how many referrals reached each step, per need, with the reasons for
declines, failures and cancellations.

The funnel's declined, failed and cancelled columns count the same referrals as the reason
tables beside them: every cell of a step is the sum of its reasons' cells. They are protected
together (`suppression.protect_together`), so that a count hidden in a reason table cannot be
read back from the funnel, and the other way round."""

from __future__ import annotations

from analysis import shapes, suppression
from analysis.context import Ask
from analysis.figures import FUNNEL, Series, remembered, rest_of_network, twice
from analysis.shapes import Chart, Figure, Labelled, Row, Table
from core.i18n import N_
from directory import api as directory
from referrals import api as referrals

ANSWER_REASONS = ("no_capacity", "not_eligible", "out_of_area", "client_unreachable",
                  "client_declined", "other")
CANCEL_REASONS = ("answer_expired", "consent_withdrawn", "referred_elsewhere",
                  "client_declined", "client_unreachable", "client_erased", "other")
REASONED = (
    ("decline_reasons", N_("Reasons for declines"), "declined", ANSWER_REASONS),
    ("failure_reasons", N_("Reasons for failures"), "failed", ANSWER_REASONS),
    ("cancel_reasons", N_("Reasons for cancellations"), "cancelled", CANCEL_REASONS),
)
Tables = dict[str, suppression.CountTable]


def _tally(ask: Ask, sent: list[referrals.SentCount], states: list[referrals.StateCount]
           ) -> tuple[dict[str, Series], dict[str, dict[str, Series]]]:
    """Monthly series per (need, district) of each step of the funnel, and of each reason of
    the reasoned steps, in one pass over the counts (hundreds of thousands at state size).
    A reason outside a step's list (or none, as a cancellation may have) counts as other."""
    index = {m: i for i, m in enumerate(ask.months)}
    width = len(ask.months)
    funnel: dict[str, Series] = {state: {} for state in FUNNEL}
    reasons: dict[str, dict[str, Series]] = {
        state: {r: {} for r in listed} for _k, _t, state, listed in REASONED}

    def add(series: Series, key: tuple[str, str], month: int, count: int) -> None:
        found = series.get(key)
        if found is None:
            found = series[key] = [0] * width
        found[month] += count

    sent_series: Series = {}
    for s in sent:
        month = index.get(s.month)
        if month is not None:
            add(sent_series, (s.need, s.district), month, s.sent)
    for c in states:
        month = index.get(c.month)
        if month is None:
            continue
        key = (c.need, c.district)
        step = funnel.get(c.state)
        if step is not None:
            add(step, key, month, c.count)
        listed = reasons.get(c.state)
        if listed is not None:
            add(listed[c.reason if c.reason in listed else "other"], key, month, c.count)
    return {"sent": sent_series, **funnel}, reasons


def _shared(whole: suppression.CountTable, parts: Tables, needs: Labelled,
            districts: list[str]) -> list[suppression.Sum]:
    """Each value of a step's table is the sum of the same value over its reasons' tables."""
    sums: list[suppression.Sum] = [(whole.total, [p.total for p in parts.values()])]
    for need, _label in needs:
        sums.append((whole.row_totals[need], [p.row_totals[need] for p in parts.values()]))
        sums += [(whole.cell(need, d), [p.cell(need, d) for p in parts.values()])
                 for d in districts]
    sums += [(whole.column_totals[d], [p.column_totals[d] for p in parts.values()])
             for d in districts]
    return sums


def _reason_table(ask: Ask, key: str, title: str, reasons: tuple[str, ...], needs: Labelled,
                  whole: suppression.CountTable, parts: Tables) -> Table:
    """Reasons by need over every district, with the step's totals; or, for one district
    (the filter), that district's column of each reason's table."""
    labels = [ask._(referrals.REASON_LABELS.get(r, r)) for r in reasons]
    district = ask.district
    rows = []
    for need, label in needs:
        values = [p.cell(need, district) if district else p.row_totals[need]
                  for p in parts.values()]
        if not district:
            values.append(whole.row_totals[need])
        rows.append(Row(key=need, label=label, cells=[shapes.cell(v) for v in values]))
    totals = [p.column_totals[district] if district else p.total for p in parts.values()]
    if not district:
        totals.append(whole.total)
    with_total = [] if district else [ask.total_label]
    return Table(key=key, title=title, row_heading=ask._("Need"),
                 column_keys=[*reasons, *(["total"] if with_total else [])],
                 columns=[*labels, *with_total], rows=rows,
                 total=Row(key="total", label=ask.total_label,
                           cells=[shapes.cell(v) for v in totals]))


async def outcomes(ask: Ask) -> Figure:
    _ = ask._
    states, network_states = await twice(ask, referrals.state_counts)
    sent, network_sent = await twice(ask, referrals.sent_counts)
    known = await remembered(ask, directory.district_names)
    districts = [d for d, _l in ask.district_columns(
        {s.district for s in states + sent + (network_sent or [])}, known)]
    needs = [r for r in ask.need_rows({s.need for s in sent}) if ask.keep_need(r[0])]
    measures = [("sent", _("Sent"))] + [(s, _(referrals.STATE_LABELS[s])) for s in FUNNEL]

    monthly, own_reasons = _tally(ask, sent, states)
    others: dict[str, Series | None] | None = None
    network_reasons: dict[str, dict[str, Series]] | None = None
    if network_sent is not None and network_states is not None:
        whole, network_reasons = _tally(ask, network_sent, network_states)
        others = {m: rest_of_network(ask, whole[m], monthly[m]) for m, _l in measures}
    steps = shapes.measure_tables(needs, districts, measures, monthly, len(ask.months), others)
    reason_tables: dict[str, Tables] = {}
    shared: list[suppression.Sum] = []
    for _key, _title, state, reasons in REASONED:
        own = own_reasons[state]
        rest = None
        if network_reasons is not None:
            network = network_reasons[state]
            rest = {r: rest_of_network(ask, network[r], own[r]) for r in reasons}
        reason_tables[state] = shapes.measure_tables(
            needs, districts, [(r, r) for r in reasons], own, len(ask.months), rest)
        shared += _shared(steps[state], reason_tables[state], needs, districts)
    suppression.protect_together(
        [*steps.values(), *(t for parts in reason_tables.values() for t in parts.values())],
        shared)
    cells, totals = shapes.picked(steps, needs, ask.district)
    funnel = Table(key="funnel", title=_("From sending to the outcome"), row_heading=_("Need"),
                   column_keys=[m for m, _l in measures], columns=[label for _m, label in measures],
                   rows=[Row(key=n, label=label, cells=[cells[(n, m)] for m, _l in measures])
                         for n, label in needs],
                   total=Row(key="total", label=ask.total_label,
                             cells=[totals[m] for m, _l in measures]))
    tables = [funnel] + [
        _reason_table(ask, key, _(title), reasons, needs, steps[state], reason_tables[state])
        for key, title, state, reasons in REASONED]
    return Figure(key="outcomes", title=_("Outcomes"),
                  description=_("How many referrals reached each step, with the reasons for "
                                "declines, failures and cancellations, by need."),
                  tables=tables, chart=Chart(kind="funnel", table="funnel"))
