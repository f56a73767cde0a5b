"""JSON API of the analysis: the same protected figures as the page, as data.

Counts a table hides come as `value: null` with the text "< 5" (fewer than five) or "•"
(hidden so that totals or overlapping reports cannot reveal another value)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Request, get
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery, QueryParameter

from accounts.guards import current_user
from analysis import catalog
from analysis.access import Question, View, analysis_reader, ask_for, views_of
from analysis.shapes import Figure
from core.errors import ReadableError
from core.i18n import gettext_for, pick_language


class Report(msgspec.Struct, frozen=True):
    view: str
    period: str
    months: list[str]
    district: str
    need: str
    category: str
    figures: list[Figure]


def _view(request: Request, wanted: str) -> View:
    views = views_of(current_user(request))
    for view in views:
        if view.key == wanted:
            return view
    if wanted == "network" and views:
        # A case manager has only the own view; asking for the network is refused by name.
        raise PermissionDeniedException(gettext_for(request).gettext(
            "Your role shows only your own organisation's figures."))
    raise ClientException(detail=gettext_for(request).gettext("Choose the view network or own."))


async def _report(request: Request, view_key: str, question: Question,
                  keys: tuple[str, ...] | None = None) -> Report:
    view = _view(request, view_key)
    try:
        ask = ask_for(question, pick_language(request), view)
    except ReadableError as error:
        raise ClientException(detail=error.translated(gettext_for(request).gettext)) from error
    wanted = tuple(k for k in (keys or view.figures) if k in view.figures)
    figures = await catalog.build(ask, wanted)
    return Report(view=view.key, period=ask.period.label, months=list(ask.months),
                  district=ask.district, need=ask.need, category=ask.category, figures=figures)


PeriodKind = Annotated[str, QueryParameter(
    description="month, quarter, year or custom (with first and last)")]


@get("/api/analysis", operation_id="getAnalysis", tags=["analysis"], guards=[analysis_reader])
async def get_analysis(
    request: Request, view: FromQuery[str] = "network", period: PeriodKind = "year",
    year: FromQuery[int | None] = None, number: FromQuery[int | None] = None,
    first: FromQuery[str | None] = None, last: FromQuery[str | None] = None,
    district: FromQuery[str] = "", need: FromQuery[str] = "", category: FromQuery[str] = "",
) -> Report:
    """Every figure of the analysis for a period (whole Berlin months), optionally for one
    district, one need (referral figures) or one offer category (offer figures).

    `view`: `network` (network administration, committee, provider staff) or `own` (the
    referrals of your own organisations: provider staff and case managers). Counts of 1 to 4
    are given as "< 5" without a value; values that would reveal such a count through a total
    or through an overlapping period are given as "•" without a value."""
    return await _report(request, view, Question(period, year, number, first, last, district,
                                                 need, category))


@get("/api/analysis/{figure:str}", operation_id="getAnalysisFigure", tags=["analysis"],
     guards=[analysis_reader])
async def get_analysis_figure(
    request: Request, figure: FromPath[str], view: FromQuery[str] = "network",
    period: PeriodKind = "year", year: FromQuery[int | None] = None,
    number: FromQuery[int | None] = None, first: FromQuery[str | None] = None,
    last: FromQuery[str | None] = None, district: FromQuery[str] = "", need: FromQuery[str] = "",
    category: FromQuery[str] = "",
) -> Report:
    """One figure (demand, answers, outcomes, capacity, languages, coverage, chains), with the
    same parameters and the same suppression as `getAnalysis`."""
    if figure not in catalog.FIGURES:
        raise NotFoundException(gettext_for(request).gettext(
            "There is no such figure; choose demand, answers, outcomes, capacity, languages, "
            "coverage or chains."))
    return await _report(request, view, Question(period, year, number, first, last, district,
                                                 need, category), (figure,))


ROUTES = [get_analysis, get_analysis_figure]
