"""The search interface: what an offer looks like to search, what a query asks, what comes back.

Two engines implement `SearchEngine`: the embedded tantivy index (default, no server) and the
Meilisearch adapter (when SEARCH_URL is set). Both take and return these structs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Literal, Protocol
from uuid import UUID

import msgspec

from core.errors import N_, ReadableError

MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
# "Open at" is resolved in steps of a quarter hour: an interval covers a step when it contains
# the step's first minute, which is exact for schedules on quarter hours.
SLOT_MINUTES = 15
SLOTS_PER_WEEK = MINUTES_PER_WEEK // SLOT_MINUTES

MAX_PER_PAGE = 100
# Deeper pages than this are refused: nobody pages that far, and both engines cap the window.
MAX_RESULT_WINDOW = 1000

SortOrder = Literal["relevance", "distance", "free_places", "next_start"]
FacetName = Literal[
    "categories",
    "languages",
    "districts",
    "target_groups",
    "free_of_charge",
    "barrier_free",
    "has_place_or_waitlist",
]
FACET_NAMES: tuple[FacetName, ...] = (
    "categories",
    "languages",
    "districts",
    "target_groups",
    "free_of_charge",
    "barrier_free",
    "has_place_or_waitlist",
)
# Yes/no facets are counted as the number of offers for which the statement holds.
FLAG_FACETS: tuple[str, ...] = ("free_of_charge", "barrier_free", "has_place_or_waitlist")


class OfferLocation(msgspec.Struct, kw_only=True, frozen=True):
    """A place where the offer happens; coordinates are WGS84 degrees."""

    id: UUID | None = None
    name: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    district: str = ""
    latitude: float | None = None
    longitude: float | None = None
    wheelchair_accessible: bool = False


class OfferTranslation(msgspec.Struct, kw_only=True, frozen=True):
    language: str
    name: str
    description: str = ""


class OfferDocument(msgspec.Struct, kw_only=True):
    """One offer as the search index sees it (a projection of the directory tables)."""

    id: UUID
    name: str
    alternate_name: str = ""
    description: str = ""
    translations: list[OfferTranslation] = []
    organization_id: UUID | None = None
    organization_name: str = ""
    # Category codes including every parent, so that a filter on a parent finds its children.
    categories: list[str] = []
    category_names: list[str] = []
    target_groups: list[str] = []
    target_group_names: list[str] = []
    languages: list[str] = []
    districts: list[str] = []
    locations: list[OfferLocation] = []
    free_of_charge: bool = True
    cost_description: str = ""
    barrier_free: bool = False
    accessibility: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    # None: the offer does not count places (e.g. open consultation hours).
    free_places: int | None = None
    maximum_places: int | None = None
    capacity_unit: str = ""
    waitlist_open: bool = False
    capacity_confirmed: date | None = None
    next_start: date | None = None
    # Weekly open intervals in minutes from Monday 00:00 (Europe/Berlin); end exclusive.
    open_intervals: list[tuple[int, int]] = []
    status: str = "active"

    @property
    def has_place_or_waitlist(self) -> bool:
        # An offer that does not count places is open to whoever comes.
        if self.free_places is None:
            return True
        return self.free_places > 0 or self.waitlist_open

    def coordinates(self) -> list[tuple[float, float]]:
        return [
            (loc.latitude, loc.longitude)
            for loc in self.locations
            if loc.latitude is not None and loc.longitude is not None
        ]


class GeoPoint(msgspec.Struct, frozen=True):
    latitude: float
    longitude: float


class OpenAt(msgspec.Struct, frozen=True):
    """Open on a weekday (0 = Monday), at a minute of the day (local time), or both: a day alone
    means "at any time that day", a time alone "at that time on any day"."""

    weekday: int | None = None
    minute: int | None = None


class SearchQuery(msgspec.Struct, kw_only=True):
    text: str = ""
    categories: list[str] = []
    languages: list[str] = []
    districts: list[str] = []
    target_groups: list[str] = []
    age: int | None = None
    free_of_charge: bool = False
    barrier_free: bool = False
    has_place_or_waitlist: bool = False
    open_at: OpenAt | None = None
    near: GeoPoint | None = None
    # A postcode, district or address typed by staff; the page and API turn it into `near`
    # (search/places.py) before an engine sees the query.
    place: str = ""
    radius_km: float | None = None
    facets: list[FacetName] = []
    sort: SortOrder = "relevance"
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


class SearchHit(msgspec.Struct, kw_only=True):
    id: UUID
    score: float
    distance_km: float | None = None
    document: OfferDocument


class SearchResult(msgspec.Struct, kw_only=True):
    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]] = {}


class EngineHealth(msgspec.Struct, kw_only=True):
    engine: str
    ok: bool
    documents: int = 0
    detail: str = ""


class QueryError(ReadableError):
    """A query the engines cannot answer; the message says what to change."""


class SearchEngine(Protocol):
    """What the rest of Lotse may ask of a search engine."""

    name: str

    def index(self, documents: Sequence[OfferDocument]) -> None:
        """Add or replace these offers (by id); visible to searches when this returns."""

    def delete(self, ids: Sequence[UUID]) -> None:
        """Remove these offers; unknown ids are ignored."""

    def search(self, query: SearchQuery) -> SearchResult: ...

    def rebuild(
        self,
        documents: Iterable[OfferDocument],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Replace the whole index by these offers; readers see the old one until it is done."""
        ...

    def health(self) -> EngineHealth: ...

    def generation(self) -> object | None:
        """A token that changes whenever what searches find changes; None where knowing it
        would cost a request (callers then keep derived figures only for a while)."""
        ...

    def close(self) -> None: ...


def validate_query(query: SearchQuery) -> None:
    """Refuse queries no engine can answer, with a message a person can act on."""
    if query.page < 1:
        raise QueryError(N_("page must be 1 or more"))
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise QueryError(N_("per_page must be between 1 and {most}"), most=MAX_PER_PAGE)
    if query.page * query.per_page > MAX_RESULT_WINDOW:
        raise QueryError(
            N_("only the first {most} results can be paged through"), most=MAX_RESULT_WINDOW
        )
    if len(query.text) > 500:
        raise QueryError(N_("the search text may have at most 500 characters"))
    if query.age is not None and not 0 <= query.age <= 130:
        raise QueryError(N_("age must be between 0 and 130"))
    if query.open_at is not None:
        weekday, minute = query.open_at.weekday, query.open_at.minute
        if weekday is None and minute is None:
            raise QueryError(N_("open_at needs a weekday, a minute of the day or both"))
        if weekday is not None and not 0 <= weekday <= 6:
            raise QueryError(N_("open_at weekday must be 0 (Monday) to 6 (Sunday)"))
        if minute is not None and not 0 <= minute < MINUTES_PER_DAY:
            raise QueryError(N_("open_at minute must be between 0 and 1439"))
    near = query.near
    if near is not None and not (-90 <= near.latitude <= 90 and -180 <= near.longitude <= 180):
        raise QueryError(
            N_("the point must have a latitude of -90..90 and longitude of -180..180")
        )
    has_point = query.near is not None or bool(query.place)
    if query.radius_km is not None:
        if not has_point:
            raise QueryError(N_("a radius needs a point to measure from"))
        if not 0 < query.radius_km <= 1000:
            raise QueryError(N_("radius_km must be more than 0 and at most 1000"))
    if query.sort == "distance" and not has_point:
        raise QueryError(N_("sorting by distance needs a point to measure from"))
    for name in query.facets:
        if name not in FACET_NAMES:
            raise QueryError(N_("unknown facet {name}"), name=repr(name))
    for values in (query.categories, query.languages, query.districts, query.target_groups):
        if len(values) > 50:
            raise QueryError(N_("at most 50 values per filter"))


def open_slots(intervals: Iterable[tuple[int, int]]) -> list[int]:
    """The quarter-hour steps of the week in which the offer is open (sorted, unique)."""
    slots: set[int] = set()
    for start, end in intervals:
        if end <= start:
            continue
        end = min(end, start + MINUTES_PER_WEEK)
        first = -(-start // SLOT_MINUTES)  # first step starting at or after `start`
        step = first
        while step * SLOT_MINUTES < end:
            slots.add(step % SLOTS_PER_WEEK)
            step += 1
    return sorted(slots)


SLOTS_PER_DAY = MINUTES_PER_DAY // SLOT_MINUTES


def slots_of(open_at: OpenAt) -> list[int]:
    """The quarter-hours of the week an offer must be open in one of to match."""
    days = range(7) if open_at.weekday is None else [open_at.weekday]
    if open_at.minute is None:
        return [day * SLOTS_PER_DAY + slot for day in days for slot in range(SLOTS_PER_DAY)]
    return [day * SLOTS_PER_DAY + open_at.minute // SLOT_MINUTES for day in days]


def date_to_day(value: date) -> int:
    """Days since 1970-01-01: a sortable number for dates in both engines."""
    return value.toordinal() - date(1970, 1, 1).toordinal()
