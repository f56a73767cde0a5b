"""What every figure is made of, for the page, the exports and the JSON API alike: tables of
protected cells (a text and a value, None when hidden) and the chart drawn from one of them.

The helpers here turn monthly counts into protected tables (`analysis.suppression`) and pick the
rows and columns a filter asks for *after* protecting the whole table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

import msgspec

from analysis import suppression
from analysis.suppression import SMALL_TEXT, Value

Labelled = list[tuple[str, str]]  # (key, label)


class Cell(msgspec.Struct, frozen=True):
    text: str
    # None when the value is hidden ("< 5" or "•") or there is none.
    value: float | None


class Row(msgspec.Struct, frozen=True):
    key: str
    label: str
    cells: list[Cell]


class Table(msgspec.Struct, frozen=True):
    key: str
    title: str
    row_heading: str
    column_keys: list[str]
    columns: list[str]
    rows: list[Row]
    total: Row | None = None


class Chart(msgspec.Struct, frozen=True):
    """`bars`: row labels against the first column; `lines`: one line per row over the
    columns (months); `map`: districts placed at their places' centre, sized by the value."""

    kind: str
    table: str
    column: int = 0
    unit: str = ""


class Figure(msgspec.Struct, frozen=True):
    key: str
    title: str
    description: str
    tables: list[Table]
    chart: Chart | None = None
    positions: dict[str, tuple[float, float]] = msgspec.field(default_factory=dict)


def cell(value: Value) -> Cell:
    public = value.public
    return Cell(text=value.text, value=None if public is None else float(public))


def plain(number: float | int, text: str | None = None) -> Cell:
    """A value that needs no protection (offers, places: public listings)."""
    return Cell(text=text if text is not None else _number(number), value=float(number))


def _number(number: float | int) -> str:
    if isinstance(number, float) and not number.is_integer():
        return f"{number:.1f}"
    return str(int(number))


def share_cell(share: float | None) -> Cell:
    if share is None:
        return Cell(text=suppression.HIDDEN_TEXT, value=None)
    return Cell(text=f"{round(share * 100)} %", value=round(share * 100, 1))


def duration_cell(hours: float | None, count: int, unit: str) -> Cell:
    """Hours as hours or days; hidden unless at least 5 cases stand behind it."""
    if count < suppression.THRESHOLD or hours is None:
        return Cell(text=SMALL_TEXT if count else "–", value=None)
    value = hours / 24 if unit == "d" else hours
    return Cell(text=f"{value:.1f} {unit}", value=round(value, 1))


def series(pairs: Iterable[tuple[tuple[str, str], str, int]],
           months: tuple[str, ...]) -> dict[tuple[str, str], list[int]]:
    """((row, column), month, count) -> monthly series per (row, column)."""
    index = {m: i for i, m in enumerate(months)}
    result: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(months))
    for key, month, count in pairs:
        if month in index:
            result[key][index[month]] += count
    return dict(result)


def minus(network: dict[tuple[str, str], list[int]] | None,
          own: dict[tuple[str, str], list[int]], months: int
          ) -> dict[tuple[str, str], list[int]] | None:
    """The rest of the network beside an organisation's own counts (None: no own view)."""
    if network is None:
        return None
    zero = [0] * months
    return {key: [n - o for n, o in zip(network.get(key, zero), own.get(key, zero), strict=True)]
            for key in set(network) | set(own)}


def count_table(key: str, title: str, row_heading: str, rows: Labelled, columns: Labelled,
                monthly: dict[tuple[str, str], list[int]], months: int, total_label: str,
                keep_rows: Callable[[str], bool] = lambda _: True,
                keep_columns: Callable[[str], bool] = lambda _: True,
                others: dict[tuple[str, str], list[int]] | None = None) -> Table:
    """A protected table with row totals (last column) and column totals (last row). A filter
    that drops rows drops the total row; one that drops columns drops the total column."""
    protected = suppression.protect(suppression.build(
        [r for r, _ in rows], [c for c, _ in columns], monthly, months, others))
    return shown_counts(key, title, row_heading, rows, columns, protected, total_label,
                        keep_rows, keep_columns)


def shown_counts(key: str, title: str, row_heading: str, rows: Labelled, columns: Labelled,
                 protected: suppression.CountTable, total_label: str,
                 keep_rows: Callable[[str], bool] = lambda _: True,
                 keep_columns: Callable[[str], bool] = lambda _: True) -> Table:
    """The rows and columns of a protected table that the filters keep (see `count_table`)."""
    shown_rows = [(r, label) for r, label in rows if keep_rows(r)]
    shown_columns = [(c, label) for c, label in columns if keep_columns(c)]
    with_row_totals = len(shown_columns) == len(columns) and len(columns) > 1
    out_rows = []
    for r, label in shown_rows:
        cells = [cell(protected.cell(r, c)) for c, _ in shown_columns]
        if with_row_totals:
            cells.append(cell(protected.row_totals[r]))
        out_rows.append(Row(key=r, label=label, cells=cells))
    total = None
    if len(shown_rows) == len(rows):
        cells = [cell(protected.column_totals[c]) for c, _ in shown_columns]
        if with_row_totals:
            cells.append(cell(protected.total))
        total = Row(key="total", label=total_label, cells=cells)
    column_keys = [c for c, _ in shown_columns] + (["total"] if with_row_totals else [])
    column_labels = [label for _, label in shown_columns] + ([total_label] if with_row_totals
                                                             else [])
    return Table(key=key, title=title, row_heading=row_heading, column_keys=column_keys,
                 columns=column_labels, rows=out_rows, total=total)


def measure_tables(rows: Labelled, columns: list[str], measures: Labelled,
                   monthly: dict[str, dict[tuple[str, str], list[int]]], months: int,
                   others: dict[str, dict[tuple[str, str], list[int]] | None] | None = None,
                   ) -> dict[str, suppression.CountTable]:
    """A rows x columns table of each measure, built but not yet protected."""
    return {m: suppression.build([r for r, _ in rows], columns, monthly.get(m, {}), months,
                                 (others or {}).get(m)) for m, _ in measures}


def picked(tables: dict[str, suppression.CountTable], rows: Labelled, column: str = ""
           ) -> tuple[dict[tuple[str, str], Cell], dict[str, Cell]]:
    """From protected measure tables: one column of each (the row totals when `column` is
    ""), as cells by (row, measure) and totals by measure."""
    cells: dict[tuple[str, str], Cell] = {}
    totals: dict[str, Cell] = {}
    for m, protected in tables.items():
        for r, _ in rows:
            cells[(r, m)] = cell(protected.row_totals[r] if not column
                                 else protected.cell(r, column))
        totals[m] = cell(protected.total if not column else protected.column_totals[column])
    return cells, totals


def measure_columns(rows: Labelled, columns: list[str], measures: Labelled,
                    monthly: dict[str, dict[tuple[str, str], list[int]]], months: int,
                    column: str = "",
                    others: dict[str, dict[tuple[str, str], list[int]] | None] | None = None,
                    ) -> tuple[dict[tuple[str, str], Cell], dict[str, Cell]]:
    """Measures that do not add up across one another (sent, accepted, ...): each protected as
    a rows x columns table of its own (columns: districts, say), then one column picked, or the
    row totals when `column` is "". Returns cells by (row, measure) and totals by measure."""
    tables = measure_tables(rows, columns, measures, monthly, months, others)
    for table in tables.values():
        suppression.protect(table)
    return picked(tables, rows, column)
