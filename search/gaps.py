"""Searches that found no offer with a free place or an open waitlist, counted for the gap
report by category and district (nothing about who searched or what they typed)."""

from __future__ import annotations

from datetime import date

import msgspec

from core.db import atomic, is_sqlite
from search.engine import SearchQuery, SearchResult
from search.tables import NoPlaceSearch


class NoPlaceCount(msgspec.Struct, frozen=True):
    category: str
    district: str
    searches: int


def found_no_place(query: SearchQuery, result: SearchResult) -> bool:
    """True when the search asked for something specific and nothing found has room.

    Needs the result's `has_place_or_waitlist` facet."""
    if not (query.categories or query.districts):
        return False
    counts = result.facets.get("has_place_or_waitlist", {})
    return counts.get("true", 0) == 0


async def record_no_place_search(
    categories: list[str], districts: list[str], day: date | None = None
) -> None:
    """Count one search for each asked category and district (empty string: not filtered)."""
    when = day or date.today()
    pairs = {(c, d) for c in (categories or [""]) for d in (districts or [""])}
    async with atomic():
        for category, district in sorted(pairs):
            category, district = category[:100], district[:100]
            updated = (
                await NoPlaceSearch.update({NoPlaceSearch.searches: NoPlaceSearch.searches + 1})
                .where(
                    (NoPlaceSearch.day == when)
                    & (NoPlaceSearch.category == category)
                    & (NoPlaceSearch.district == district)
                )
                .returning(NoPlaceSearch.id)
            )
            if not updated:
                await NoPlaceSearch.insert(
                    NoPlaceSearch(day=when, category=category, district=district, searches=1)
                )


async def no_place_counts(since: date, until: date) -> list[NoPlaceCount]:
    """Searches without a free place between two days (inclusive), most frequent first."""
    rows = await NoPlaceSearch.select(
        NoPlaceSearch.category, NoPlaceSearch.district, NoPlaceSearch.searches
    ).where((NoPlaceSearch.day >= since) & (NoPlaceSearch.day <= until))
    totals: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["category"], row["district"])
        totals[key] = totals.get(key, 0) + int(row["searches"])
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [NoPlaceCount(category=c, district=d, searches=n) for (c, d), n in ranked]


class NoPlaceMonth(msgspec.Struct, frozen=True):
    category: str
    district: str
    month: str
    searches: int


async def no_place_by_month(since: date, until: date) -> list[NoPlaceMonth]:
    """Searches without a free place between two days (inclusive), by "YYYY-MM" month."""
    # Added up in the database: a state's year holds a row per day, category and district.
    month = "substr(day, 1, 7)" if is_sqlite() else "to_char(day, 'YYYY-MM')"
    rows = await NoPlaceSearch.raw(
        f"SELECT category, district, {month} AS month, SUM(searches) AS n"
        " FROM no_place_search WHERE day >= {} AND day <= {} GROUP BY 1, 2, 3", since, until)
    totals = {(r["category"], r["district"], r["month"]): int(r["n"]) for r in rows}
    return [NoPlaceMonth(category=c, district=d, month=m, searches=n)
            for (c, d, m), n in sorted(totals.items())]
