"""The search API (`GET /api/search`, `GET /api/search/health`), and what the search page shares
with it: who may search, running a query, counting searches that found no free place."""

from __future__ import annotations

import asyncio
import contextvars
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

import msgspec
from litestar import Request, get
from litestar.connection import ASGIConnection
from litestar.exceptions import (
    NotAuthorizedException,
    ServiceUnavailableException,
    ValidationException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.params import QueryParameter

from accounts.guards import network_admin
from search.embedded import IndexUnavailableError
from search.engine import (
    FACET_NAMES,
    EngineHealth,
    GeoPoint,
    QueryError,
    SearchQuery,
    SearchResult,
)
from search.gaps import found_no_place, record_no_place_search
from search.params import search_query
from search.places import Place, locate
from search.runtime import get_engine
from settings import get_settings


async def search_reader(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Every member may search; without log-in only when the public directory is switched on.

    A coroutine: Litestar would run a plain-function guard in its thread pool."""
    if connection.scope.get("user") is None and not get_settings().public_directory:
        raise NotAuthorizedException("Please log in.")


# Searches get threads of their own, one core's worth fewer than the machine has (the event
# loop keeps one). The index releases the GIL while it works but takes it back for every call
# it returns from; more threads than cores only queue up for it (measured with 16 clients:
# more searches per second and a shorter tail than in the shared default pool).
_SEARCHES = ThreadPoolExecutor(max(1, (os.cpu_count() or 2) - 1), thread_name_prefix="search")


async def run_search(query: SearchQuery) -> SearchResult:
    engine = get_engine()
    call = contextvars.copy_context().run
    try:
        return await asyncio.get_running_loop().run_in_executor(
            _SEARCHES, call, engine.search, query
        )
    except QueryError as error:
        raise ValidationException(str(error)) from error
    except (IndexUnavailableError, OSError, RuntimeError) as error:
        raise ServiceUnavailableException(
            "Search is not available right now. Please try again in a minute."
        ) from error


async def with_place(query: SearchQuery) -> tuple[SearchQuery, Place | None]:
    """The query measuring from the typed place; raises QueryError when it is not found."""
    if not query.place:
        return query, None
    place = await locate(query.place)
    point = GeoPoint(latitude=place.latitude, longitude=place.longitude)
    return msgspec.structs.replace(query, near=point), place


async def count_gap(query: SearchQuery, result: SearchResult) -> None:
    """A search for a category or district that found no free place is a gap in the network."""
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
    "place": "Where distances are measured from: a postcode, a district or an address "
    "(addresses need LOTSE_GEOCODER_URL); sorts by distance unless sort says otherwise",
    "lat": "Latitude of a point (with lon) for distances",
    "lon": "Longitude of a point (with lat)",
    "radius_km": "With a place or lat/lon: only offers with a location this close (km)",
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
    place: Annotated[str | None, QueryParameter(description=DOC["place"])] = None,
    radius_km: Annotated[str | None, QueryParameter(description=DOC["radius_km"])] = None,
    sort: Annotated[str | None, QueryParameter(description=DOC["sort"])] = None,
    page: Annotated[str | None, QueryParameter(description=DOC["page"])] = None,
    per_page: Annotated[str | None, QueryParameter(description=DOC["per_page"])] = None,
    facet: Annotated[list[str] | None, QueryParameter(description=DOC["facet"])] = None,
) -> SearchResult:
    # The parameters above document the API; they are read once more, with messages that say
    # what to fix, from the query string.
    try:
        query, _ = await with_place(search_query(request.query_params.dict()))
    except QueryError as error:
        raise ValidationException(str(error)) from error
    result = await run_search(_with_place_facet(query))
    await count_gap(query, result)
    if "has_place_or_waitlist" not in query.facets:
        result.facets.pop("has_place_or_waitlist", None)
    return result


@get(
    "/api/search/health",
    operation_id="searchHealth",
    guards=[network_admin],
    summary="State of the search index",
    tags=["search"],
)
async def search_health() -> EngineHealth:
    """Which search engine serves, whether it answers, how many offers it holds, and what is wrong
    when it does not.
    """
    return await asyncio.to_thread(get_engine().health)


ROUTES: list[Any] = [search_api, search_health]
