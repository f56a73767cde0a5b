"""The page "Analyse" and its downloads: CSV of a table, XLSX of all tables, the PDF report.

Every figure is a chart drawn on the server (SVG) followed by its data as a table; the form
above them chooses the period and the filters with plain links and GET, no script needed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Template
from msgspec.structs import replace

from accounts.guards import current_user
from analysis import catalog, periods
from analysis.access import Question, View, analysis_reader, ask_for, views_of
from analysis.context import NEEDS
from analysis.shapes import Figure
from core.errors import N_, ReadableError
from core.i18n import gettext_for, pick_language, translations
from core.templates import render
from core.time import berlin_today
from directory import api as directory
from referrals import api as referrals

REPORT_TEXTS = {
    "title": N_("Analysis of the integration network"),
    "period": N_("Period"),
    "made": N_("Made"),
    "rule": N_("No person can be identified: only counts, shares and durations over groups "
               "are shown. A value counting fewer than 5 clients or referrals is shown as "
               "\u201c< 5\u201d. A value is hidden (\u201c•\u201d) where a total, a month of "
               "the period or the rest of the network would let a reader work out such a "
               "small value. Medians and percentiles need at least 5 cases."),
    "rule_short": N_("Values under 5 shown as < 5; • hidden to protect them"),
    "legend": N_("Periods are whole calendar months (Europe/Berlin). Referral figures count "
                 "the referrals sent in the period."),
    "more_rows": N_("{count} further rows are in the XLSX export."),
    "more_columns": N_("{count} further columns are in the XLSX export."),
}

OWN, NETWORK = N_("Own organisation"), N_("Network")


def _question(params: dict[str, str]) -> Question:
    def number(name: str) -> int | None:
        value = params.get(name, "").strip()
        if not value:
            return None
        if not value.isascii() or not value.isdigit() or len(value) > 4:
            raise ReadableError(N_("Enter the year, quarter or month as a number."))
        return int(value)

    return Question(period=params.get("period", "year") or "year", year=number("year"),
                    number=number("number"), first=params.get("first") or None,
                    last=params.get("last") or None, district=params.get("district", ""),
                    need=params.get("need", ""), category=params.get("category", ""))


def _views(request: Request) -> list[View]:
    return views_of(current_user(request))


async def _figures(request: Request, params: dict[str, str], lang: str | None = None
                   ) -> tuple[list[tuple[View, list[Figure]]], str]:
    """The figures of every view the reader has (own before network)."""
    question = _question(params)
    result = []
    label = ""
    for view in _views(request):
        ask = ask_for(question, lang or pick_language(request), view)
        label = ask.period.label
        result.append((view, await catalog.build(ask, view.figures)))
    return result, label


@get("/analysis", operation_id="analysisPage", guards=[analysis_reader],
     include_in_schema=False)
async def analysis_page(request: Request) -> Template:
    t = gettext_for(request)
    params = {k: str(v) for k, v in request.query_params.items()}
    error = ""
    sections: list[dict[str, Any]] = []
    label = ""
    try:
        found, label = await _figures(request, params)
    except ReadableError as problem:
        error, found = problem.translated(t.gettext), []
    # Charts and exports load matplotlib and openpyxl (seconds): imported when first drawn, not
    # by every process that starts the application.
    from analysis import charts

    for view, figures in found:
        sections.append({"view": view.key, "figures": [
            {"figure": f, "svg": charts.svg(f, f.title)} for f in figures]})
    query = urlencode({k: v for k, v in params.items() if v})
    return render(request, "analysis/page.html", {
        "sections": sections, "error": error, "params": params, "query": query,
        "period_label": label, "kinds": periods.KINDS, "year_now": berlin_today().year,
        "needs": [(n, t.gettext(referrals.NEED_LABELS[n])) for n in NEEDS],
        "categories": sorted(directory.category_names(pick_language(request)).items(),
                             key=lambda pair: pair[1]),
        "districts": await directory.district_names(),
    }, status_code=400 if error else 200)


def _download(body: bytes | str, media_type: str, name: str) -> Response[Any]:
    return Response(content=body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def _checked(request: Request, lang: str | None = None
                   ) -> tuple[list[tuple[View, list[Figure]]], str]:
    params = {k: str(v) for k, v in request.query_params.items()}
    try:
        return await _figures(request, params, lang)
    except ReadableError as problem:
        raise problem.http() from problem


@get("/analysis/table.csv", operation_id="analysisTableCsv", guards=[analysis_reader],
     include_in_schema=False)
async def table_csv(request: Request, view: FromQuery[str], table: FromQuery[str]
                    ) -> Response[Any]:
    from analysis import exports

    found, _label = await _checked(request)
    for shown_view, figures in found:
        for figure in figures:
            for candidate in figure.tables:
                if shown_view.key == view and candidate.key == table:
                    return _download("\ufeff" + exports.csv_text(candidate),
                                     "text/csv; charset=utf-8", f"analyse-{view}-{table}.csv")
    raise NotFoundException(gettext_for(request).gettext("There is no such table."))


@get("/analysis/tables.xlsx", operation_id="analysisTablesXlsx", guards=[analysis_reader],
     include_in_schema=False)
async def tables_xlsx(request: Request) -> Response[Any]:
    from analysis import exports

    found, _label = await _checked(request)
    t = gettext_for(request).gettext
    figures = [replace(f, title=f"{t(OWN if v.key == 'own' else NETWORK)} {f.title}")
               for v, fs in found for f in fs]
    return _download(exports.xlsx_bytes(figures), "application/vnd.openxmlformats-"
                     "officedocument.spreadsheetml.sheet", "analyse.xlsx")


@get("/analysis/report.pdf", operation_id="analysisReportPdf", guards=[analysis_reader],
     include_in_schema=False)
async def report_pdf(request: Request) -> Response[Any]:
    from analysis import exports

    # The committee report is German, whatever the reader's language.
    found, label = await _checked(request, "de")
    de = translations("de").gettext
    figures = [f for _view, fs in found for f in fs]
    body = exports.pdf_bytes(figures, label, {k: de(v) for k, v in REPORT_TEXTS.items()})
    stamp = datetime.now().strftime("%Y%m%d")
    return _download(body, "application/pdf", f"analyse-{stamp}.pdf")


ROUTES = [analysis_page, table_csv, tables_xlsx, report_pdf]
