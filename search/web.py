"""The search API (`GET /api/search`) and the search page (`GET /search`, HTMX-enhanced)."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, Response, get
from litestar.connection import ASGIConnection
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    ServiceUnavailableException,
    ValidationException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from accounts.guards import network_admin
from core.i18n import gettext_for, pick_language
from core.templates import render
from search.embedded import IndexUnavailableError
from search.engine import FACET_NAMES, EngineHealth, QueryError, SearchQuery, SearchResult
from search.gaps import found_no_place, record_no_place_search
from search.labels import Labels, term_names
from search.params import search_query
from search.runtime import get_engine
from search.views import chips, facet_groups, hit_view, url_for
from settings import get_settings

STATIC = Path(__file__).resolve().parent / "static"
OVERALL_SECONDS = 60.0
# The element that sends a request on each keystroke: those searches are not counted as gaps.
TYPING_TRIGGER = "search-q"
_overall: tuple[float, SearchResult] | None = None


def search_reader(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Every member may search; without log-in only when the public directory is switched on."""
    if connection.scope.get("user") is None and not get_settings().public_directory:
        raise NotAuthorizedException("Please log in.")


async def _run(query: SearchQuery) -> SearchResult:
    engine = get_engine()
    try:
        return await asyncio.to_thread(engine.search, query)
    except QueryError as error:
        raise ValidationException(str(error)) from error
    except (IndexUnavailableError, OSError, RuntimeError) as error:
        raise ServiceUnavailableException(
            "Search is not available right now. Please try again in a minute."
        ) from error


async def _count_gap(query: SearchQuery, result: SearchResult) -> None:
    if found_no_place(query, result):
        await record_no_place_search(query.categories, query.districts)


def _with_place_facet(query: SearchQuery) -> SearchQuery:
    """The gap count needs to know whether anything found has room."""
    if "has_place_or_waitlist" in query.facets or not (query.categories or query.districts):
        return query
    return msgspec.structs.replace(query, facets=[*query.facets, "has_place_or_waitlist"])


DOC = {
    "q": "Words to search for; typos, umlauts written as ae/oe/ue and parts of words are found",
    "category": "Category code (repeat for several; parents include their sub-categories)",
    "language": "Language spoken in the offer, ISO 639-1 code (repeatable)",
    "district": "District name (repeatable)",
    "target_group": "Target group code (repeatable)",
    "age": "Age of the person in years (whole number)",
    "free": "true: only offers free of charge",
    "barrier_free": "true: only offers with a wheelchair-accessible location",
    "available": "true: only offers with a free place or an open waitlist",
    "open_day": "With open_time: open on this weekday (mon..sun)",
    "open_time": "With open_day: open at this time (HH:MM, Europe/Berlin)",
    "lat": "Latitude of a point (with lon) for distances",
    "lon": "Longitude of a point (with lat)",
    "radius_km": "With lat/lon: only offers with a location this close (km)",
    "sort": "relevance (default), distance, free_places or next_start",
    "page": "Page number, from 1",
    "per_page": "Hits per page, 1 to 100 (default 20)",
    "facet": f"Counts to return: {', '.join(FACET_NAMES)} or all (repeatable)",
}


@get(
    "/api/search",
    operation_id="searchOffers",
    summary="Search offers",
    description="Full-text search with filters, facet counts, sorting and pages. "
    "Text is taken as plain words: no query syntax.",
    guards=[search_reader],
    opt={"public": True},
    tags=["search"],
)
async def search_api(
    request: Request,
    q: Annotated[str | None, QueryParameter(description=DOC["q"])] = None,
    category: Annotated[list[str] | None, QueryParameter(description=DOC["category"])] = None,
    language: Annotated[list[str] | None, QueryParameter(description=DOC["language"])] = None,
    district: Annotated[list[str] | None, QueryParameter(description=DOC["district"])] = None,
    target_group: Annotated[
        list[str] | None, QueryParameter(description=DOC["target_group"])
    ] = None,
    age: Annotated[str | None, QueryParameter(description=DOC["age"])] = None,
    free: Annotated[str | None, QueryParameter(description=DOC["free"])] = None,
    barrier_free: Annotated[str | None, QueryParameter(description=DOC["barrier_free"])] = None,
    available: Annotated[str | None, QueryParameter(description=DOC["available"])] = None,
    open_day: Annotated[str | None, QueryParameter(description=DOC["open_day"])] = None,
    open_time: Annotated[str | None, QueryParameter(description=DOC["open_time"])] = None,
    lat: Annotated[str | None, QueryParameter(description=DOC["lat"])] = None,
    lon: Annotated[str | None, QueryParameter(description=DOC["lon"])] = None,
    radius_km: Annotated[str | None, QueryParameter(description=DOC["radius_km"])] = None,
    sort: Annotated[str | None, QueryParameter(description=DOC["sort"])] = None,
    page: Annotated[str | None, QueryParameter(description=DOC["page"])] = None,
    per_page: Annotated[str | None, QueryParameter(description=DOC["per_page"])] = None,
    facet: Annotated[list[str] | None, QueryParameter(description=DOC["facet"])] = None,
) -> SearchResult:
    # The parameters above document the API; they are read once more, with messages that say
    # what to fix, from the query string.
    try:
        query = search_query(request.query_params.dict())
    except QueryError as error:
        raise ValidationException(str(error)) from error
    result = await _run(_with_place_facet(query))
    await _count_gap(query, result)
    if "has_place_or_waitlist" not in query.facets:
        result.facets.pop("has_place_or_waitlist", None)
    return result


async def _openings(service_ids: list[UUID], lang: str, gettext: Any) -> dict[str, Any]:
    """Open now / next opening and course start in words, from the calendars domain."""
    try:
        from calendars import api as calendars_api
    except ImportError:  # calendars not installed: hits go without opening words
        return {}
    texts = await calendars_api.label_texts(service_ids, lang, gettext)
    return {str(sid): value for sid, value in texts.items()}


async def _overall_facets() -> SearchResult:
    """Facet counts of the whole directory: which values the filter lists offer."""
    global _overall
    now = time.monotonic()
    if _overall is None or now - _overall[0] > OVERALL_SECONDS:
        result = await _run(SearchQuery(facets=list(FACET_NAMES), per_page=1))
        _overall = (now, result)
    return _overall[1]


@get(
    "/search",
    operation_id="searchPage",
    guards=[search_reader],
    opt={"public": True},
    include_in_schema=False,
)
async def search_page(request: Request) -> Template:
    t = gettext_for(request)
    lang = pick_language(request)
    partial = request.headers.get("hx-request") == "true"
    error = ""
    try:
        query = search_query(request.query_params.dict())
    except QueryError as problem:
        error = str(problem)
        query = SearchQuery()
    query = msgspec.structs.replace(query, facets=list(FACET_NAMES))
    result = await _run(query)
    if not error and request.headers.get("hx-trigger") != TYPING_TRIGGER:
        await _count_gap(query, result)
    labels = Labels(await term_names(), lang)
    overall = await _overall_facets()
    openings = await _openings([hit.id for hit in result.hits], lang, t.gettext)
    user = request.scope.get("user")
    settings = get_settings()
    context = {
        "query": query,
        "result": result,
        "error": error,
        "hits": [
            hit_view(h, labels, t.gettext, t.ngettext, date.today(), settings.capacity_stale_days)
            for h in result.hits
        ],
        "chips": chips(query, labels, t.gettext),
        "groups": facet_groups(query, result, overall, labels),
        "flag_counts": {n: result.facets.get(n, {}).get("true", 0) for n in FACET_NAMES},
        "can_refer": bool(user and user.has_role("case_manager")),
        "previous_url": url_for(query, page=query.page - 1) if query.page > 1 else "",
        "next_url": (
            url_for(query, page=query.page + 1)
            if query.page * query.per_page < min(result.total, 1000)
            else ""
        ),
        "clear_url": url_for(SearchQuery(text=query.text)),
        "partial": partial,
        "openings": openings,
        "group_titles": {
            "categories": t.gettext("Category"),
            "languages": t.gettext("Language spoken"),
            "districts": t.gettext("District"),
            "target_groups": t.gettext("Target group"),
        },
        "weekdays": [
            ("mon", t.gettext("Monday")),
            ("tue", t.gettext("Tuesday")),
            ("wed", t.gettext("Wednesday")),
            ("thu", t.gettext("Thursday")),
            ("fri", t.gettext("Friday")),
            ("sat", t.gettext("Saturday")),
            ("sun", t.gettext("Sunday")),
        ],
    }
    name = "search/results.html" if partial else "search/page.html"
    status = 400 if error and not partial else 200
    response = render(request, name, context, status_code=status)
    if partial and not error:
        # The address bar shows the search without the form's empty fields.
        response.headers["HX-Push-Url"] = url_for(query, page=query.page)
    return response


@get(
    "/api/search/health",
    operation_id="searchHealth",
    guards=[network_admin],
    summary="State of the search index",
    tags=["search"],
)
async def search_health() -> EngineHealth:
    return await asyncio.to_thread(get_engine().health)


@get(
    "/search/static/{name:str}",
    operation_id="searchStatic",
    opt={"public": True},
    include_in_schema=False,
    cache_control=CacheControlHeader(max_age=3600),
)
async def static_file(name: FromPath[str]) -> Response[bytes]:
    types = {"search.css": "text/css", "search.js": "text/javascript"}
    if name not in types:
        raise NotFoundException("No such file.")
    return Response((STATIC / name).read_bytes(), media_type=types[name])


ROUTES: list[Any] = [search_api, search_page, search_health, static_file]
