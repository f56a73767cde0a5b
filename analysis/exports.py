"""The figures as files: CSV of one table, XLSX with every table, and the PDF report of the
period for the committees (German, charts, the period and the suppression rule stated).

Only protected cells reach a file: their texts ("< 5", "•" included), never a hidden count."""

from __future__ import annotations

import csv
import io
import logging
import re
import textwrap
from collections.abc import Iterator
from typing import Any

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure as Canvas
from openpyxl import Workbook

from analysis import charts
from analysis.shapes import Figure, Row, Table
from core.time import berlin_now

# A text asked for in the regular weight is found in the built-in fonts' "medium" after a
# warning per lookup: noise in the server's log.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
ROWS_PER_PAGE = 28
COLUMNS_PER_PAGE = 8
# A report page set per table at most this wide and long; wider tables (every district of a
# state) and longer ones (every provider) are whole in the XLSX export.
MAX_COLUMN_PAGES = 2
MAX_ROW_PAGES = 3


def _lines(table: Table) -> Iterator[list[str]]:
    yield [table.row_heading, *table.columns]
    rows: list[Row] = [*table.rows, *([table.total] if table.total else [])]
    for row in rows:
        yield [row.label, *(c.text for c in row.cells)]


def csv_text(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for line in _lines(table):
        # A cell starting with = + - @ could run as a formula in a spreadsheet.
        writer.writerow(["'" + v if v[:1] in "=+-@" else v for v in line])
    return buffer.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:28].strip() or "Tabelle"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:25]} {n}", n + 1
    used.add(name)
    return name


def xlsx_bytes(figures: list[Figure]) -> bytes:
    """One sheet per table; a shown count is a number, a hidden one its text."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    used: set[str] = set()
    for figure in figures:
        for table in figure.tables:
            sheet = book.create_sheet(_sheet_name(f"{figure.title} {table.title}", used))
            sheet.append([table.title])
            sheet.append([table.row_heading, *table.columns])
            for row in [*table.rows, *([table.total] if table.total else [])]:
                values: list[str | float] = [row.label]
                for c in row.cells:
                    plain = c.value is not None and re.fullmatch(r"[\d.]+", c.text)
                    values.append(c.value if plain and c.value is not None else c.text)
                sheet.append(values)
                for written in sheet[sheet.max_row]:
                    # A name starting with "=" is text here, never a formula.
                    if isinstance(written.value, str) and written.value.startswith("="):
                        written.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text_page(pdf: PdfPages, title: str, paragraphs: list[str]) -> None:
    canvas = Canvas(figsize=(8.27, 11.69))
    canvas.text(0.08, 0.94, title, fontsize=16, weight="bold", va="top")
    y = 0.88
    for paragraph in paragraphs:
        for line in textwrap.wrap(paragraph, 95) or [""]:
            canvas.text(0.08, y, line, fontsize=10, va="top")
            y -= 0.022
        y -= 0.012
    pdf.savefig(canvas)


def _printable(texts: list[str]) -> bool:
    """True when the PDF's built-in fonts (Windows-1252 letters) hold every character."""
    try:
        "".join(texts).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _table_pages(pdf: PdfPages, figure: Figure, table: Table, footer: str,
                 texts: dict[str, str], core: bool) -> None:
    """A table as pages of aligned columns, one text block per column. The report shows at
    most MAX_ROW_PAGES x MAX_COLUMN_PAGES pages of a table (the largest rows first, as the
    figures order them) and says how much more the XLSX export holds."""
    lines = list(_lines(table))
    header = lines[0]
    total = lines[-1:] if table.total else []
    rows = lines[1:len(lines) - len(total)]
    # Rows of nothing but zeros say nothing a committee needs; the exports keep them.
    body = [line for line in rows if any(v not in {"0", "–", ""} for v in line[1:])]
    if not body:
        return
    room = ROWS_PER_PAGE * MAX_ROW_PAGES - len(total)
    notes = []
    if len(body) > room:
        notes.append(texts["more_rows"].format(count=len(body) - room))
        body = body[:room]
    body += total
    last_column = min(len(header), 1 + COLUMNS_PER_PAGE * MAX_COLUMN_PAGES)
    if len(header) > last_column:
        notes.append(texts["more_columns"].format(count=len(header) - last_column))
    family = "Courier" if core else "DejaVu Sans Mono"
    for start in range(0, len(body), ROWS_PER_PAGE):
        for column_start in range(1, max(last_column, 2), COLUMNS_PER_PAGE):
            columns = [0, *range(column_start, min(last_column, column_start
                                                   + COLUMNS_PER_PAGE))]
            canvas = Canvas(figsize=(11.69, 8.27))
            canvas.text(0.04, 0.95, f"{figure.title}: {table.title}", fontsize=13,
                        weight="bold", va="top")
            canvas.text(0.04, 0.03, "   ".join([footer, *notes]), fontsize=8)
            x = 0.04
            for index in columns:
                width = 30 if index == 0 else 16
                head = textwrap.shorten(header[index], width, placeholder="…") if index < len(
                    header) else ""
                cells = [textwrap.shorten(line[index], width, placeholder="…")
                         if index < len(line) else "" for line in body[start:start
                                                                       + ROWS_PER_PAGE]]
                canvas.text(x, 0.88, head, fontsize=8, weight="bold", va="top",
                            family=family)
                canvas.text(x, 0.85, "\n".join(cells), fontsize=8, va="top",
                            family=family, linespacing=1.6)
                x += 0.0068 * (width + 2)
            pdf.savefig(canvas)


def _every_text(figures: list[Figure], texts: dict[str, str], period_label: str) -> list[str]:
    found = [*texts.values(), period_label]
    for figure in figures:
        found += [figure.title, figure.description]
        for table in figure.tables:
            for line in _lines(table):
                found += line
            found.append(table.title)
    return found


def pdf_bytes(figures: list[Figure], period_label: str, texts: dict[str, str]) -> bytes:
    """The committee report; `texts` holds its German prose (title, rule, legend, notes)."""
    buffer = io.BytesIO()
    footer = f"{texts['title']} · {period_label} · {texts['rule_short']}"
    # The PDF's built-in fonts are drawn a string at a time and need no embedding; an embedded
    # font is laid out glyph by glyph, which made most of the report's time. A report with
    # letters beyond Windows-1252 (names in other scripts) embeds DejaVu (TrueType: the text
    # stays searchable and copyable).
    core = _printable(_every_text(figures, texts, period_label))
    # (The built-in fonts' regular weight is called "medium".)
    settings: Any = {"pdf.use14corefonts": True, "axes.unicode_minus": False,
                                   "font.weight": "medium"} if core else {"pdf.fonttype": 42}
    with matplotlib.rc_context(settings), PdfPages(
            buffer, metadata={"Title": texts["title"], "CreationDate": None}) as pdf:
        _text_page(pdf, texts["title"], [
            f"{texts['period']}: {period_label}",
            f"{texts['made']}: {berlin_now().strftime('%d.%m.%Y %H:%M')}",
            texts["rule"], texts["legend"],
            *[f"{f.title}: {f.description}" for f in figures],
        ])
        for figure in figures:
            canvas = Canvas(figsize=(11.69, 8.27), layout="constrained")
            canvas.suptitle(f"{figure.title} ({period_label})", fontsize=13)
            if charts.draw(figure, canvas):
                pdf.savefig(canvas)
            for table in figure.tables:
                _table_pages(pdf, figure, table, footer, texts, core)
    return buffer.getvalue()
