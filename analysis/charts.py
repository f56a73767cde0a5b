"""Charts of the figures, drawn on the server with matplotlib as SVG (for the page, without
JavaScript and printable) or onto a PDF page (the committee report).

Drawn from the protected tables only: a hidden value is a gap in the chart, never its number.
Colours are the Okabe-Ito palette, told apart by readers with colour-vision deficiencies;
lines differ in marker and dash as well, so that no series is known by its colour alone."""

from __future__ import annotations

import html
import io
import re
from itertools import cycle

import matplotlib

# Figures made directly (not through pyplot) need no window system and are freed with them.
from matplotlib.figure import Figure as Canvas
from matplotlib.transforms import offset_copy

from analysis.shapes import Figure, Table

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
DASHES = ("-", "--", "-.", ":")
MAX_BARS = 20
# Text stays text in the SVG (selectable, readable by assistive technology, smaller).
matplotlib.rcParams.update({"svg.fonttype": "none", "font.size": 9})


def _table(figure: Figure) -> Table | None:
    if figure.chart is None:
        return None
    return next((t for t in figure.tables if t.key == figure.chart.table), None)


def _month_columns(table: Table) -> list[int]:
    return [i for i, key in enumerate(table.column_keys) if re.fullmatch(r"\d{4}-\d{2}", key)]


def _lines(canvas: Canvas, table: Table) -> bool:
    axes = canvas.add_subplot()
    columns = _month_columns(table)
    drawn = False
    styles = cycle(zip(OKABE_ITO, MARKERS, cycle(DASHES), strict=False))
    for row in table.rows[:8]:
        colour, marker, dash = next(styles)
        values = [row.cells[i].value for i in columns]
        if all(v is None for v in values):
            continue
        axes.plot(range(len(columns)), [float("nan") if v is None else v for v in values],
                  color=colour, marker=marker, linestyle=dash, label=row.label)
        drawn = True
    axes.set_xticks(range(len(columns)), [table.columns[i] for i in columns], rotation=45,
                    ha="right")
    axes.grid(axis="y", alpha=0.3)
    if drawn:
        axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return drawn


def _bars(canvas: Canvas, table: Table, column: int, unit: str) -> bool:
    pairs = [(row.label, row.cells[column].value) for row in table.rows
             if len(row.cells) > column and row.cells[column].value is not None]
    pairs = sorted(pairs, key=lambda p: -(p[1] or 0))[:MAX_BARS]
    if not pairs:
        return False
    axes = canvas.add_subplot()
    labels = [p[0] for p in reversed(pairs)]
    axes.barh(labels, [p[1] or 0 for p in reversed(pairs)], color=OKABE_ITO[0])
    axes.set_xlabel(f"{table.columns[column]}" + (f" ({unit})" if unit else ""))
    axes.grid(axis="x", alpha=0.3)
    return True


def _funnel(canvas: Canvas, table: Table) -> bool:
    if table.total is None:
        return False
    values = [c.value for c in table.total.cells]
    if all(v is None for v in values):
        return False
    axes = canvas.add_subplot()
    labels = list(reversed(table.columns))
    axes.barh(labels, [v or 0 for v in reversed(values)],
              color=[OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(labels))])
    for index, value in enumerate(reversed(values)):
        if value is None:
            axes.text(0, index, " •", va="center")
    axes.grid(axis="x", alpha=0.3)
    return True


def _stacked(canvas: Canvas, table: Table) -> bool:
    columns = [i for i, key in enumerate(table.column_keys) if key != "total"]
    rows = [r for r in table.rows if any(r.cells[i].value for i in columns)]
    if not rows:
        return False
    axes = canvas.add_subplot()
    left = [0.0] * len(rows)
    hatches = cycle(("", "//", "..", "xx", "\\\\", "oo"))
    for n, i in enumerate(columns):
        values = [r.cells[i].value or 0 for r in rows]
        axes.barh([r.label for r in rows], values, left=left, label=table.columns[i],
                  color=OKABE_ITO[n % len(OKABE_ITO)], hatch=next(hatches), edgecolor="white")
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return True


def _map(canvas: Canvas, table: Table, positions: dict[str, tuple[float, float]]) -> bool:
    placed = [(row, positions[row.key]) for row in table.rows if row.key in positions]
    if not placed:
        return False
    axes = canvas.add_subplot()
    # One collection for the districts with offers and one for those without: a collection
    # per district made a state's map (hundreds of them) most of the report's drawing.
    for with_offers, colour, marker in ((True, OKABE_ITO[0], "o"), (False, OKABE_ITO[5], "X")):
        group = [(row.cells[-1].value or 0, lat, lon) for row, (lat, lon) in placed
                 if bool(row.cells[-1].value) is with_offers]
        if group:
            axes.scatter([lon for _t, _lat, lon in group], [lat for _t, lat, _lon in group],
                         s=[40 + 12 * total for total, _lat, _lon in group], color=colour,
                         marker=marker, alpha=0.7)
    beside = offset_copy(axes.transData, fig=canvas, x=4, y=4, units="points")
    for row, (lat, lon) in placed:
        label = axes.text(lon, lat, f"{row.label} ({int(row.cells[-1].value or 0)})",
                          fontsize=7, transform=beside)
        # Labels sit beside their points inside the axes; the layout need not measure each.
        label.set_in_layout(False)
    axes.set_xlabel("°E")
    axes.set_ylabel("°N")
    axes.set_aspect(1.6)
    return True


def draw(figure: Figure, canvas: Canvas) -> bool:
    """Draw the figure's chart onto `canvas`; False when there is nothing to draw."""
    table = _table(figure)
    if table is None or figure.chart is None:
        return False
    kind = figure.chart.kind
    if kind == "lines":
        return _lines(canvas, table)
    if kind == "bars":
        return _bars(canvas, table, figure.chart.column, figure.chart.unit)
    if kind == "funnel":
        return _funnel(canvas, table)
    if kind == "stacked":
        return _stacked(canvas, table)
    if kind == "map":
        return _map(canvas, table, figure.positions)
    return False


def svg(figure: Figure, title: str) -> str | None:
    """The chart as an SVG element with a title for screen readers (None: nothing to draw)."""
    canvas = Canvas(figsize=(7.5, 3.6), layout="constrained")
    if not draw(figure, canvas):
        return None
    buffer = io.StringIO()
    canvas.savefig(buffer, format="svg", metadata={"Title": title, "Date": None})
    text = buffer.getvalue()
    # Only the <svg> element itself goes into the page, named for screen readers (the table
    # below it carries the data).
    label = html.escape(title, quote=True)
    return text[text.index("<svg"):].replace(
        "<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1)
