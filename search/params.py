"""Reading a search from query-string parameters, with messages a person can act on.

The page and the API take the same parameters:
q, category, language, district, target_group (repeatable), age, free, barrier_free, available
(true/false), open_day (mon..sun or 0..6) with open_time (HH:MM), place (a postcode, district or
address) or lat and lon, radius_km, sort (relevance, distance, free_places, next_start; distance
by default with a place), page, per_page, facet (repeatable or "all").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import cast

from core.i18n import N_
from search.engine import (
    FACET_NAMES,
    FacetName,
    GeoPoint,
    OpenAt,
    QueryError,
    SearchQuery,
    SortOrder,
    validate_query,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SORTS = ("relevance", "distance", "free_places", "next_start")
TRUE = {"1", "true", "on", "yes"}
FALSE = {"0", "false", "off", "no", ""}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MAX_VALUE_LENGTH = 100


class Params:
    """Query-string values by name (the last one wins for single values)."""

    def __init__(self, values: Mapping[str, Sequence[str]]) -> None:
        self.values = values

    def one(self, name: str) -> str:
        found = self.values.get(name) or []
        return found[-1].strip() if found else ""

    def many(self, name: str) -> list[str]:
        values = [v.strip() for v in self.values.get(name) or [] if v.strip()]
        for value in values:
            if len(value) > MAX_VALUE_LENGTH:
                raise QueryError(
                    N_("{name} values may have at most {most} characters"),
                    name=name,
                    most=MAX_VALUE_LENGTH,
                )
        return list(dict.fromkeys(values))

    def flag(self, name: str) -> bool:
        value = self.one(name).lower()
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise QueryError(
            N_("{name} must be true or false, not {value}"), name=name, value=repr(value)
        )

    def integer(self, name: str) -> int | None:
        value = self.one(name)
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            raise QueryError(
                N_("{name} must be a whole number, not {value}"), name=name, value=repr(value)
            ) from None

    def number(self, name: str) -> float | None:
        value = self.one(name).replace(",", ".")
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise QueryError(
                N_("{name} must be a number, not {value}"), name=name, value=repr(value)
            ) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise QueryError(N_("{name} must be a finite number"), name=name)
        return number


def _open_at(params: Params) -> OpenAt | None:
    """A day, a time of day, or both ("on Mondays", "at 09:00", "Mondays at 09:00")."""
    day, time = params.one("open_day").lower(), params.one("open_time")
    if not day and not time:
        return None
    weekday: int | None = None
    if day in WEEKDAYS:
        weekday = WEEKDAYS.index(day)
    elif day.isascii() and day.isdigit() and int(day) <= 6:
        weekday = int(day)
    elif day:
        raise QueryError(N_("open_day must be one of mon, tue, wed, thu, fri, sat, sun (or 0-6)"))
    minute: int | None = None
    if time:
        match = _TIME.match(time)
        if not match:
            raise QueryError(N_("open_time must be a time of day like 09:30"))
        minute = int(match.group(1)) * 60 + int(match.group(2))
    return OpenAt(weekday=weekday, minute=minute)


def _near(params: Params) -> GeoPoint | None:
    lat, lon = params.number("lat"), params.number("lon")
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise QueryError(N_("lat and lon go together: give both or neither"))
    return GeoPoint(latitude=lat, longitude=lon)


def _facets(params: Params) -> list[FacetName]:
    names = params.many("facet")
    if "all" in names:
        return list(FACET_NAMES)
    for name in names:
        if name not in FACET_NAMES:
            raise QueryError(
                N_("facet must be one of {names} or all, not {name}"),
                names=", ".join(FACET_NAMES),
                name=repr(name),
            )
    return cast(list[FacetName], names)


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def search_query(values: Mapping[str, Sequence[str]], per_page_default: int = 20) -> SearchQuery:
    """A validated query; raises QueryError naming the parameter to fix."""
    params = Params(values)
    place = params.one("place")
    sort = params.one("sort") or ("distance" if place else "relevance")
    if sort not in SORTS:
        raise QueryError(
            N_("sort must be one of {names}, not {sort}"), names=", ".join(SORTS), sort=repr(sort)
        )
    near = _near(params)
    if place and near is not None:
        raise QueryError(N_("give either a place or lat and lon, not both"))
    radius = params.number("radius_km")
    query = SearchQuery(
        text=params.one("q"),
        categories=params.many("category"),
        languages=params.many("language"),
        districts=params.many("district"),
        target_groups=params.many("target_group"),
        age=params.integer("age"),
        free_of_charge=params.flag("free"),
        barrier_free=params.flag("barrier_free"),
        has_place_or_waitlist=params.flag("available"),
        open_at=_open_at(params),
        near=near,
        place=place,
        radius_km=radius,
        facets=_facets(params),
        sort=cast(SortOrder, sort),
        page=_or(params.integer("page"), 1),
        per_page=_or(params.integer("per_page"), per_page_default),
    )
    validate_query(query)
    return query
