"""The files made from the tables: what a spreadsheet opens must stay data."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from analysis.exports import MAX_ROW_PAGES, ROWS_PER_PAGE, csv_text, pdf_bytes, xlsx_bytes
from analysis.shapes import Cell, Figure, Row, Table


def _table() -> Table:
    return Table(key="k", title="Tabelle", row_heading="Träger", column_keys=["a", "b"],
                 columns=["Versandt", "Beantwortet"],
                 rows=[Row(key="x", label="=HYPERLINK(\"http://127.0.0.1\")",
                           cells=[Cell(text="12", value=12.0), Cell(text="< 5", value=None)])])


def test_a_name_that_looks_like_a_formula_stays_text_in_csv_and_xlsx() -> None:
    assert "'=HYPERLINK" in csv_text(_table())
    book = load_workbook(io.BytesIO(xlsx_bytes([Figure(key="f", title="F", description="",
                                                       tables=[_table()])])))
    row = [(c.value, c.data_type) for c in book.worksheets[0][3]]
    assert row[0][1] == "s"
    assert row[1] == (12, "n")
    assert row[2] == ("< 5", "s")


TEXTS = {"title": "Analyse", "period": "Zeitraum", "made": "Erstellt", "rule": "Regel",
         "legend": "Legende", "rule_short": "< 5", "more_rows": "{count} weitere Zeilen",
         "more_columns": "{count} weitere Spalten"}


def _long_table(name: str) -> Figure:
    rows = [Row(key=str(i), label=f"{name} {i}", cells=[Cell(text=str(200 - i), value=None)])
            for i in range(150)]
    return Figure(key="f", title="Antworten", description="", tables=[Table(
        key="t", title="Nach Träger", row_heading="Träger", column_keys=["sent"],
        columns=["Versandt"], rows=rows)])


def _text(body: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True,
                          check=True).stdout.decode()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_report_prints_the_largest_rows_and_names_what_only_the_xlsx_holds() -> None:
    body = pdf_bytes([_long_table("Träger")], "01/2026", TEXTS)
    text = _text(body)
    shown = ROWS_PER_PAGE * MAX_ROW_PAGES
    assert "Träger 0" in text and f"Träger {shown - 1}" in text
    assert f"Träger {shown}" not in text
    assert f"{150 - shown} weitere Zeilen" in text
    # Latin letters only: the built-in fonts, nothing embedded.
    assert b"/Courier" in body and b"FontFile" not in body


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_a_name_in_another_script_keeps_its_letters_in_the_report() -> None:
    body = pdf_bytes([_long_table("Kadın Derneği")], "01/2026", TEXTS)
    assert "Kadın Derneği 0" in _text(body)
    assert b"DejaVu" in body
