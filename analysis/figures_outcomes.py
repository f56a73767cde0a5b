"""The outcomes figure: how many referrals reached each step, per need, with the reasons for
declines, failures and cancellations.

The funnel's declined, failed and cancelled columns count the same referrals as the reason
tables beside them: every cell of a step is the sum of its reasons' cells. They are protected
together (`suppression.protect_together`), so that a count hidden in a reason table cannot be
read back from the funnel, and the other way round."""

from __future__ import annotations

from analysis import shapes, suppression
from analysis.context import Ask
from analysis.figures import FUNNEL, Series, rest_of_network, twice
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


def _by_reason(ask: Ask, rows: list[referrals.StateCount], state: str,
               reasons: tuple[str, ...]) -> dict[str, Series]:
    found: dict[str, list[tuple[tuple[str, str], str, int]]] = {r: [] for r in reasons}
    for s in rows:
        if s.state == state:
            # A reason outside the list (or none, as a cancellation may have) counts as other.
            found[s.reason if s.reason in reasons else "other"].append(
                ((s.need, s.district), s.month, s.count))
    return {r: shapes.series(pairs, ask.months) for r, pairs in found.items()}


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
    known = await directory.district_names()
    districts = [d for d, _l in ask.district_columns(
        {s.district for s in states + sent + (network_sent or [])}, known)]
    needs = [r for r in ask.need_rows({s.need for s in sent}) if ask.keep_need(r[0])]
    measures = [("sent", _("Sent"))] + [(s, _(referrals.STATE_LABELS[s])) for s in FUNNEL]

    def by_measure(sent_rows: list[referrals.SentCount],
                   state_rows: list[referrals.StateCount]) -> dict[str, Series]:
        result = {"sent": shapes.series([((s.need, s.district), s.month, s.sent)
                                         for s in sent_rows], ask.months)}
        # One pass over the state counts (hundreds of thousands at state size), not one a step.
        by_state: dict[str, list[tuple[tuple[str, str], str, int]]] = {s: [] for s in FUNNEL}
        for s in state_rows:
            if s.state in by_state:
                by_state[s.state].append(((s.need, s.district), s.month, s.count))
        for state, pairs in by_state.items():
            result[state] = shapes.series(pairs, ask.months)
        return result

    monthly = by_measure(sent, states)
    others = None
    if network_sent is not None and network_states is not None:
        whole = by_measure(network_sent, network_states)
        others = {m: rest_of_network(ask, whole[m], monthly[m]) for m, _l in measures}
    steps = shapes.measure_tables(needs, districts, measures, monthly, len(ask.months), others)
    reason_tables: dict[str, Tables] = {}
    shared: list[suppression.Sum] = []
    for _key, _title, state, reasons in REASONED:
        own = _by_reason(ask, states, state, reasons)
        rest = None
        if network_states is not None:
            network = _by_reason(ask, network_states, state, reasons)
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
