"""The suppression rule on its own: small values, months, totals, overlapping reports."""

from __future__ import annotations

from itertools import combinations

from analysis import suppression
from analysis.suppression import Mark, build, protect, protect_series, safe_share
from analysis.tests import suppression_rule


def _table(cells: dict[tuple[str, str], list[int]], rows: list[str], columns: list[str],
           months: int = 1, others: dict[tuple[str, str], list[int]] | None = None):
    return protect(build(rows, columns, cells, months, others))


def test_counts_from_one_to_four_are_shown_as_fewer_than_five() -> None:
    table = _table({("a", "x"): [3], ("a", "y"): [0], ("b", "x"): [9], ("b", "y"): [12]},
                   ["a", "b"], ["x", "y"])
    assert table.cell("a", "x").text == "< 5"
    assert table.cell("a", "x").public is None
    assert table.cell("a", "y").text == "0"


def test_a_single_small_cell_cannot_be_read_from_its_row_or_column_total() -> None:
    table = _table({("a", "x"): [3], ("a", "y"): [7], ("b", "x"): [9], ("b", "y"): [12]},
                   ["a", "b"], ["x", "y"])
    # Row a: total 10 shown would give x = 10 - 7; so 7 (or the total) is hidden as well.
    row_a = [table.cell("a", "x"), table.cell("a", "y"), table.row_totals["a"]]
    column_x = [table.cell("a", "x"), table.cell("b", "x"), table.column_totals["x"]]
    assert sum(v.hidden for v in row_a) >= 2
    assert sum(v.hidden for v in column_x) >= 2


def test_no_hidden_value_follows_from_any_stated_sum() -> None:
    cells = {("a", "x"): [1], ("a", "y"): [6], ("a", "z"): [8],
             ("b", "x"): [5], ("b", "y"): [2], ("b", "z"): [30],
             ("c", "x"): [7], ("c", "y"): [9], ("c", "z"): [4]}
    table = _table(cells, ["a", "b", "c"], ["x", "y", "z"])
    for total, parts in suppression._relations(table):
        assert not suppression_rule.pinned(total, parts)


def test_two_small_cells_that_sum_to_eight_are_protected_further() -> None:
    # 4 + 4 = 8 with a visible total would pin both to 4.
    table = _table({("a", "x"): [4], ("a", "y"): [4], ("a", "z"): [20]}, ["a"],
                   ["x", "y", "z"])
    assert table.cell("a", "z").hidden or table.row_totals["a"].hidden


def test_a_value_over_months_is_hidden_when_one_month_is_small() -> None:
    value = protect_series([6, 7, 3])
    assert value.mark is Mark.MONTH
    assert value.text == "•"
    assert protect_series([6, 7, 0]).text == "13"


def test_subtracting_overlapping_periods_reveals_no_small_month() -> None:
    """The attack: January to March (16) minus January to February (13) gives March (3)."""
    monthly = [6, 7, 3, 9, 0, 5]
    shown: dict[tuple[int, int], int] = {}
    for first in range(len(monthly)):
        for last in range(first, len(monthly)):
            value = protect_series(monthly[first:last + 1]).public
            if value is not None:
                shown[(first, last)] = value
    assert (0, 1) in shown and (0, 2) not in shown
    for (a, b), (c, d) in combinations(shown, 2):
        if a <= c and d <= b:  # (c, d) lies inside (a, b): their difference is a sum of months
            assert not suppression.is_small(shown[(a, b)] - shown[(c, d)])
        if c <= a and b <= d:
            assert not suppression.is_small(shown[(c, d)] - shown[(a, b)])


def test_every_shown_value_is_a_sum_of_months_that_are_zero_or_at_least_five() -> None:
    for series in ([6, 7, 3], [1, 0, 0], [0, 5, 12], [4, 4, 4], [0, 0, 0]):
        value = protect_series(series)
        if not value.hidden:
            assert all(m == 0 or m >= 5 for m in series)


def test_a_filtered_report_shows_only_what_the_whole_table_shows() -> None:
    cells = {("a", "x"): [3], ("a", "y"): [7], ("b", "x"): [9], ("b", "y"): [12]}
    whole = _table(cells, ["a", "b"], ["x", "y"])
    from analysis import shapes

    rows, columns = [("a", "A"), ("b", "B")], [("x", "X"), ("y", "Y")]
    only_y = shapes.count_table("t", "T", "", rows, columns, cells, 1, "Summe",
                                keep_columns=lambda c: c == "y")
    assert [r.cells[0].text for r in only_y.rows] == [whole.cell("a", "y").text,
                                                     whole.cell("b", "y").text]


def test_an_organisations_value_is_hidden_when_the_rest_of_the_network_is_small() -> None:
    # Own 9 of a network's 12: the network minus own would show 3.
    table = _table({("a", "x"): [9]}, ["a"], ["x"], others={("a", "x"): [3]})
    assert table.cell("a", "x").mark is Mark.REST
    assert table.cell("a", "x").public is None


def test_a_share_is_hidden_when_it_would_give_away_a_small_count() -> None:
    assert safe_share([6, 7], [6, 7]) == 1.0
    assert safe_share([5, 6], [6, 7]) is None  # one late answer a month
    assert safe_share([2], [3]) is None
    assert safe_share([10], [20]) == 0.5


def test_random_tables_end_with_no_hidden_value_pinned_by_a_sum() -> None:
    import random

    rng = random.Random(11)
    for _ in range(200):
        rows = [f"r{i}" for i in range(rng.randint(1, 6))]
        columns = [f"c{i}" for i in range(rng.randint(1, 9))]
        cells = {(r, c): [rng.choice((0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 30))]
                 for r in rows for c in columns}
        table = _table(cells, rows, columns)
        for total, parts in suppression._relations(table):
            assert not suppression_rule.pinned(total, parts)
        for (r, c), series in cells.items():
            if suppression.is_small(series[0]):
                assert table.cell(r, c).public is None


def test_a_value_shared_by_two_tables_is_hidden_in_both() -> None:
    # Declines of one need in one district: 7 in the step's table, 6 + 1 by reason.
    step = build(["need"], ["district"], {("need", "district"): [7]}, 1)
    capacity = build(["need"], ["district"], {("need", "district"): [6]}, 1)
    eligible = build(["need"], ["district"], {("need", "district"): [1]}, 1)
    apart = [protect(build(["need"], ["district"], {("need", "district"): [n]}, 1))
             for n in (7, 6, 1)]
    # Protected one by one, 7 and 6 stay visible, and 7 - 6 gives the hidden 1.
    assert not apart[0].cell("need", "district").hidden
    assert not apart[1].cell("need", "district").hidden
    shared = [(step.cell("need", "district"), [capacity.cell("need", "district"),
                                               eligible.cell("need", "district")])]
    suppression.protect_together([step, capacity, eligible], shared)
    assert eligible.cell("need", "district").mark is Mark.SMALL
    assert (step.cell("need", "district").hidden
            or capacity.cell("need", "district").hidden)
