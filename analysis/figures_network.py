"""The figures about the network's offers and about what follows a referral: capacity over
time, languages, coverage and chains. Offer counts and places are public listings; counts of
referrals and clients go through the suppression rule."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from analysis import shapes
from analysis.context import Ask
from analysis.figures import Series, remembered, twice
from analysis.shapes import Cell, Chart, Figure, Row, Table
from directory import api as directory
from referrals import api as referrals


async def capacity(ask: Ask) -> Figure:
    _ = ask._
    history = await directory.capacity_history(ask.period.first, ask.period.last_day,
                                               ask.district)
    cells = await remembered(ask, directory.offer_cells)
    rows = [r for r in ask.category_rows({c.category for c in cells}) if ask.keep_category(r[0])]
    # Free places per category and day (over the districts asked), averaged over each month.
    per_day: dict[tuple[str, date], int] = defaultdict(int)
    for snap in history:
        per_day[(snap.category, snap.day)] += snap.free_places
    days_in_month: dict[str, set[date]] = defaultdict(set)
    for snap in history:
        days_in_month[snap.day.strftime("%Y-%m")].add(snap.day)
    month_rows = []
    for category, label in rows:
        values = []
        for month, _l in ask.month_columns():
            days = days_in_month.get(month, set())
            if not days:
                values.append(Cell(text="–", value=None))
                continue
            mean = sum(per_day.get((category, d), 0) for d in days) / len(days)
            values.append(shapes.plain(round(mean, 1)))
        month_rows.append(Row(key=category, label=label, cells=values))
    over_time = Table(key="free_places_by_month", title=_("Free places (mean of the daily "
                                                          "snapshots)"),
                      row_heading=_("Offer category"),
                      column_keys=[m for m, _l in ask.month_columns()],
                      columns=[label for _m, label in ask.month_columns()], rows=month_rows)
    now: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for c in cells:
        if ask.keep_district(c.district):
            figures = now[c.category]
            for i, n in enumerate((c.offers, c.with_capacity, c.free_places, c.stale)):
                figures[i] += n
    current = []
    for category, label in rows:
        offers, counted, free, stale = now.get(category, [0, 0, 0, 0])
        share = shapes.plain(round(100 * stale / counted, 1), f"{round(100 * stale / counted)} %"
                             ) if counted else Cell(text="–", value=None)
        current.append(Row(key=category, label=label, cells=[
            shapes.plain(offers), shapes.plain(counted), shapes.plain(free), share]))
    today = Table(key="capacity_now", title=_("Capacity today"), row_heading=_("Offer category"),
                  column_keys=["offers", "with_capacity", "free_places", "stale_share"],
                  columns=[_("Offers"), _("With capacity figures"), _("Free places"),
                           _("Share not confirmed recently")], rows=current)
    return Figure(key="capacity", title=_("Capacity over time"),
                  description=_("Free places per offer category from the daily snapshots, and "
                                "the share of offers whose capacity has not been confirmed "
                                "recently."),
                  tables=[over_time, today], chart=Chart(kind="lines",
                                                         table="free_places_by_month"))


async def languages(ask: Ask) -> Figure:
    _ = ask._
    spoken, network = await twice(ask, referrals.language_counts)
    offered = await directory.offer_languages()
    codes = sorted({s.language for s in spoken} | {o.language for o in offered})
    rows = [(code, directory.language_name(code, ask.lang)) for code in codes]
    needs = [n for n, _l in ask.need_rows({s.need for s in spoken})]

    def series(source: list[referrals.LanguageCount]) -> Series:
        return shapes.series([((s.language, s.need), s.month, s.count) for s in source],
                             ask.months)

    own = series(spoken)
    rest = shapes.minus(series(network), own, len(ask.months)) if network is not None else None
    measures = [("referrals", "")]
    cells, totals = shapes.measure_columns(rows, needs, measures, {"referrals": own},
                                           len(ask.months), ask.need, {"referrals": rest})
    offers: dict[str, int] = defaultdict(int)
    for o in offered:
        if ask.keep_category(o.category):
            offers[o.language] += o.offers
    sent, network_sent = await twice(ask, referrals.sent_counts)
    table = Table(key="languages", title=_("Languages of referred clients and of offers"),
                  row_heading=_("Language"), column_keys=["referrals", "offers"],
                  columns=[_("Referrals of clients speaking it"), _("Offers given in it")],
                  rows=[Row(key=code, label=label, cells=[cells[(code, "referrals")],
                                                          shapes.plain(offers.get(code, 0))])
                        for code, label in rows],
                  # A referral counts once per language its client speaks.
                  total=Row(key="total", label=_("Referrals (each language counted)"),
                            cells=[totals["referrals"], Cell(text="", value=None)]))
    return Figure(key="languages", title=_("Languages"),
                  description=_("The languages referred clients speak and the interpreting "
                                "they need, against the languages offers are given in."),
                  tables=[table, _interpreting(ask, sent, network_sent)],
                  chart=Chart(kind="bars", table="languages", column=0))


def _interpreting(ask: Ask, sent: list[referrals.SentCount],
                  network: list[referrals.SentCount] | None) -> Table:
    _ = ask._
    needs = [r for r in ask.need_rows({s.need for s in sent}) if ask.keep_need(r[0])]
    districts = sorted({s.district for s in sent + (network or [])} | {ask.district})
    measures = [("sent", _("Sent")), ("interpreter", _("Interpreter needed"))]

    def by_measure(rows: list[referrals.SentCount]) -> dict[str, Series]:
        return {m: shapes.series([((s.need, s.district), s.month, getattr(s, m)) for s in rows],
                                 ask.months) for m, _l in measures}

    monthly = by_measure(sent)
    others = None
    if network is not None:
        whole = by_measure(network)
        others = {m: shapes.minus(whole[m], monthly[m], len(ask.months)) for m, _l in measures}
    cells, totals = shapes.measure_columns(needs, districts, measures, monthly,
                                           len(ask.months), ask.district, others)
    return Table(key="interpreting", title=_("Interpreting needed"), row_heading=_("Need"),
                 column_keys=["sent", "interpreter"], columns=[label for _m, label in measures],
                 rows=[Row(key=n, label=label, cells=[cells[(n, m)] for m, _l in measures])
                       for n, label in needs],
                 total=Row(key="total", label=ask.total_label,
                           cells=[totals[m] for m, _l in measures]))


async def coverage(ask: Ask) -> Figure:
    _ = ask._
    cells = await remembered(ask, directory.offer_cells)
    known = await remembered(ask, directory.district_names)
    categories = [r for r in ask.category_rows({c.category for c in cells})
                  if ask.keep_category(r[0])]
    districts = [d for d in ask.district_columns({c.district for c in cells}, known)
                 if ask.keep_district(d[0])]
    counts = {(c.district, c.category): c.offers for c in cells}
    rows = []
    for district, label in districts:
        values = [counts.get((district, category), 0) for category, _l in categories]
        rows.append(Row(key=district, label=label,
                        cells=[shapes.plain(v) for v in values] + [shapes.plain(sum(values))]))
    table = Table(key="coverage", title=_("Offers per district and category"),
                  row_heading=_("District"),
                  column_keys=[c for c, _l in categories] + ["total"],
                  columns=[label for _c, label in categories] + [ask.total_label], rows=rows)
    empty = [label for (district, label), row in zip(districts, rows, strict=True)
             if row.cells[-1].value == 0]
    none = Table(key="districts_without", title=_("Districts without an offer"),
                 row_heading=_("District"), column_keys=[], columns=[],
                 rows=[Row(key=label, label=label, cells=[]) for label in empty])
    return Figure(key="coverage", title=_("Coverage"),
                  description=_("Offers per district and category, on a map and as a table, "
                                "and the districts with none."),
                  tables=[table, none], chart=Chart(kind="map", table="coverage"),
                  positions=await directory.district_centres())


async def chains(ask: Ask) -> Figure:
    _ = ask._
    found, network = await twice(ask, referrals.chain_counts)
    everything = found + (network or [])
    rows = ask.need_rows({c.done for c in everything})
    columns = [(n, label) for n, label in ask.need_rows({c.following for c in everything})
               if n] + [("", _("No further referral"))]

    def series(source: list[referrals.ChainCount]) -> Series:
        return shapes.series([((c.done, c.following), c.month, c.count) for c in source],
                             ask.months)

    own = series(found)
    rest = shapes.minus(series(network), own, len(ask.months)) if network is not None else None
    table = shapes.count_table("chains", _("Next referral after a completed one"),
                               _("Completed need"), rows, columns, own, len(ask.months),
                               ask.total_label, keep_rows=ask.keep_need, others=rest)
    return Figure(key="chains", title=_("Chains"),
                  description=_("What people were referred to next after completing an offer, "
                                "and where the chain stopped."),
                  tables=[table], chart=Chart(kind="stacked", table="chains"))
