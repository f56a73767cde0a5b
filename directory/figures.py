"""Figures about the directory for the analysis: offers, free places and languages per top
category and district, and the daily capacity snapshot that gives free places a history.

Offers are public listings, so these counts need no suppression. An offer with several places
or categories counts once in each of its (category, district) cells; "" stands for an offer
without a category or without a district.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec

from core.db import atomic, is_sqlite
from directory.tables import CapacitySnapshot, Service
from directory.taxonomy_data import TARGET_GROUP_PREFIX, lotse_taxonomy
from settings import get_settings


class OfferCell(msgspec.Struct, frozen=True):
    category: str
    district: str
    offers: int
    with_capacity: int
    free_places: int
    stale: int


class LanguageOffers(msgspec.Struct, frozen=True):
    category: str
    language: str
    offers: int


class SnapshotRow(msgspec.Struct, frozen=True):
    day: date
    category: str
    district: str
    offers: int
    with_capacity: int
    free_places: int
    stale: int


def _top(column: str) -> str:
    if is_sqlite():
        return (f"CASE WHEN instr({column}, '.') > 0"
                f" THEN substr({column}, 1, instr({column}, '.') - 1) ELSE {column} END")
    return f"split_part({column}, '.', 1)"


def _categories() -> str:
    """(service, top category) of every live offer's category terms."""
    return (f"SELECT DISTINCT st.service AS service, {_top('tt.code')} AS category"
            " FROM service_term st JOIN taxonomy_term tt ON tt.id = st.term"
            f" WHERE tt.code NOT LIKE '{TARGET_GROUP_PREFIX}%'")


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return list(await Service.raw(sql, *args))


async def offer_cells(now: datetime | None = None) -> list[OfferCell]:
    """Live offers now, by top category and district, with their free and stale places."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=get_settings().capacity_stale_days)
    rows = await _rows(
        "SELECT category, district, COUNT(*) AS offers, SUM(has_capacity) AS with_capacity,"
        " SUM(free) AS free, SUM(stale) AS stale FROM ("
        " SELECT DISTINCT s.id, COALESCE(sc.category, '') AS category,"
        " COALESCE(l.district, '') AS district,"
        " CASE WHEN c.id IS NULL THEN 0 ELSE 1 END AS has_capacity,"
        " COALESCE(c.available, 0) AS free,"
        " CASE WHEN c.id IS NOT NULL AND c.updated < {} THEN 1 ELSE 0 END AS stale"
        f" FROM service s LEFT JOIN ({_categories()}) sc ON sc.service = s.id"
        " LEFT JOIN service_at_location sal ON sal.service = s.id"
        " LEFT JOIN location l ON l.id = sal.location AND l.retired_at IS NULL"
        " LEFT JOIN capacity c ON c.service = s.id"
        " WHERE s.status = 'active' AND s.retired_at IS NULL) x"
        " GROUP BY category, district", cutoff)
    return [OfferCell(category=r["category"], district=r["district"], offers=int(r["offers"]),
                      with_capacity=int(r["with_capacity"] or 0), free_places=int(r["free"] or 0),
                      stale=int(r["stale"] or 0)) for r in rows]


async def district_names() -> list[str]:
    """Every district a live place of the network lies in, sorted."""
    rows = await _rows("SELECT DISTINCT district FROM location"
                       " WHERE district <> '' AND retired_at IS NULL")
    return sorted(str(r["district"]) for r in rows)


async def offer_languages() -> list[LanguageOffers]:
    """Live offers by top category and each language they are given in."""
    rows = await _rows(
        "SELECT COALESCE(sc.category, '') AS category, sl.code AS language,"
        " COUNT(DISTINCT s.id) AS offers FROM service s"
        " JOIN service_language sl ON sl.service = s.id"
        f" LEFT JOIN ({_categories()}) sc ON sc.service = s.id"
        " WHERE s.status = 'active' AND s.retired_at IS NULL GROUP BY 1, 2")
    return [LanguageOffers(category=r["category"], language=r["language"],
                           offers=int(r["offers"])) for r in rows]


async def take_capacity_snapshot(day: date, now: datetime | None = None,
                                 replace: bool = False) -> bool:
    """Record the figures of `day` once (True when this call recorded them).

    Several processes may run it at once: the unique key lets one of them win. `replace`
    recomputes the day from the live figures (only meaningful for today)."""
    if not replace and await CapacitySnapshot.exists().where(CapacitySnapshot.day == day):
        return False
    cells = await offer_cells(now)
    try:
        async with atomic():
            if replace:
                await CapacitySnapshot.delete().where(CapacitySnapshot.day == day)
            elif await CapacitySnapshot.exists().where(CapacitySnapshot.day == day):
                return False
            rows = [CapacitySnapshot(key=f"{day.isoformat()}|{c.category}|{c.district}"[:250],
                                     day=day, category=c.category, district=c.district,
                                     offers=c.offers, with_capacity=c.with_capacity,
                                     free_places=c.free_places, stale=c.stale) for c in cells]
            if rows:
                await CapacitySnapshot.insert(*rows)
    except Exception as error:
        # Another process recorded the same day meanwhile: its rows stand.
        if "unique" in str(error).lower():
            return False
        raise
    return True


async def capacity_history(since: date, until: date, district: str = "") -> list[SnapshotRow]:
    """The snapshots between two days (inclusive) per day and category, summed over every
    district or for one ("" in `district` of each row: all), oldest first."""
    where = "day >= {} AND day <= {}"
    args: list[Any] = [since, until]
    if district:
        where += " AND district = {}"
        args.append(district)
    rows = await _rows(
        "SELECT day, category, SUM(offers) AS offers, SUM(with_capacity) AS with_capacity,"
        " SUM(free_places) AS free_places, SUM(stale) AS stale FROM capacity_snapshot"
        f" WHERE {where} GROUP BY day, category ORDER BY day", *args)
    return [SnapshotRow(day=r["day"] if isinstance(r["day"], date)
                        else date.fromisoformat(str(r["day"])),
                        category=r["category"], district=district, offers=int(r["offers"]),
                        with_capacity=int(r["with_capacity"]),
                        free_places=int(r["free_places"]), stale=int(r["stale"]))
            for r in rows]


def category_names(lang: str) -> dict[str, str]:
    """Top category code -> its name in the interface language."""
    return {term.code: (term.name_en if lang == "en" else term.name)
            for term in lotse_taxonomy().terms}


async def district_centres() -> dict[str, tuple[float, float]]:
    """Mean latitude and longitude of the live places of each district, for the coverage map."""
    rows = await _rows("SELECT district, AVG(latitude) AS lat, AVG(longitude) AS lon"
                       " FROM location WHERE district <> '' AND retired_at IS NULL"
                       " AND latitude IS NOT NULL AND longitude IS NOT NULL GROUP BY district")
    return {str(r["district"]): (float(r["lat"]), float(r["lon"])) for r in rows}
