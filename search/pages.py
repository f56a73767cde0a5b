"""The search page (`GET /search`, HTMX-enhanced: the results part is swapped on each change)
and its script and style sheet."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from core.i18n import gettext_for, pick_language
from core.templates import render
from search.display import chips, facet_groups, hit_view, url_for
from search.engine import FACET_NAMES, QueryError, SearchQuery, SearchResult
from search.labels import Labels, term_names, term_parents
from search.params import search_query
from search.places import Place, district_names
from search.routes import count_gap, run_search, search_reader, with_place
from search.runtime import get_engine
from settings import get_settings

STATIC = Path(__file__).resolve().parent / "static"
OVERALL_SECONDS = 60.0
# The element that sends a request on each keystroke: those searches are not counted as gaps.
TYPING_TRIGGER = "search-q"
# (when, index generation, result): kept while the index is unchanged, or for a minute where
# the engine cannot say cheaply whether it changed.
_overall: tuple[float, object | None, SearchResult] | None = None


async def _openings(service_ids: list[UUID], lang: str, gettext: Any) -> dict[str, Any]:
    """Open now / next opening and course start in words, from the calendars domain."""
    try:
        from calendars import api as calendars_api
    except ImportError:  # calendars not installed: hits go without opening words
        return {}
    texts = await calendars_api.label_texts(service_ids, lang, gettext)
    return {str(sid): value for sid, value in texts.items()}


def _place_note(place: Place | None, gettext: Any) -> str:
    """Says what distances are measured from: a postcode or district means its centre."""
    if place is None:
        return ""
    if place.kind == "postcode":
        where = gettext("the centre of postcode area %(code)s") % {"code": place.name}
    elif place.kind == "district":
        where = gettext("the centre of %(district)s") % {"district": place.name}
    else:
        where = place.name
    return gettext("Distances are measured from %(place)s.") % {"place": where}


def _map_points(result: SearchResult) -> list[dict[str, Any]]:
    """Each located place of each hit, numbered as in the list."""
    points: list[dict[str, Any]] = []
    for number, hit in enumerate(result.hits, start=result.per_page * (result.page - 1) + 1):
        for location in hit.document.locations:
            if location.latitude is None or location.longitude is None:
                continue
            points.append({
                "lat": location.latitude, "lon": location.longitude, "number": number,
                "name": hit.document.name, "url": f"/offers/{hit.id}",
                "place": ", ".join(p for p in (location.name, location.address) if p),
            })
    return points


async def _overall_facets() -> SearchResult:
    """Facet counts of the whole directory: which values the filter lists offer."""
    global _overall
    now = time.monotonic()
    generation = get_engine().generation()
    fresh = generation is not None or (_overall and now - _overall[0] <= OVERALL_SECONDS)
    if _overall is not None and _overall[1] == generation and fresh:
        return _overall[2]
    result = await run_search(SearchQuery(facets=list(FACET_NAMES), per_page=1))
    _overall = (now, generation, result)
    return result


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
    place = None
    try:
        query, place = await with_place(search_query(request.query_params.dict()))
    except QueryError as problem:
        error = problem.translated(t.gettext)
        # The typed place stays in its field, to be corrected.
        query = SearchQuery(place=request.query_params.get("place", "")[:200])
    query = msgspec.structs.replace(query, facets=list(FACET_NAMES))
    if error:
        # A search that could not be read shows no results: an unfiltered list would look like
        # the answer to it.
        result = SearchResult(hits=[], total=0, page=1, per_page=query.per_page)
    else:
        result = await run_search(query)
    if not error and request.headers.get("hx-trigger") != TYPING_TRIGGER:
        await count_gap(query, result)
    labels = Labels(await term_names(), lang, await term_parents())
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
        "place_note": _place_note(place, t.gettext),
        "district_names": district_names(),
        "map_points": _map_points(result),
        "map_origin": (
            {"lat": query.near.latitude, "lon": query.near.longitude}
            if query.near is not None else None
        ),
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


ROUTES: list[Any] = [search_page, static_file]
