"""Distances and a grid of cells for "within N km of a point".

Every location is indexed with the cell it falls in on each of a few grid levels. A radius query
picks the level where the circle spans a few hundred cells: cells wholly inside the circle match
outright, offers in cells the circle's edge crosses are checked by exact distance.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = 111.195
# Cells are square at the latitude of the Ruhr; elsewhere in Germany they are nearly so.
KM_PER_DEGREE_LON = KM_PER_DEGREE_LAT * math.cos(math.radians(51.0))
# Each level's cell holds exactly 4 x 4 cells of the level below (same origin, sizes x4).
LEVEL_SIZES_KM = (0.125, 0.5, 2.0, 8.0, 32.0, 128.0)
MAX_CELLS_ACROSS = 12
# Cells crossed by the circle's edge are split this many levels down, to check fewer offers.
SPLIT_LEVELS = 1


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


class Ruler:
    """Fast distances from one point: flat-earth kilometres, accurate to well under 1 % within a
    few hundred kilometres; `exact` measures on the sphere where it matters."""

    def __init__(self, lat: float, lon: float) -> None:
        self.lat = lat
        self.lon = lon
        self.kx = KM_PER_DEGREE_LAT * math.cos(math.radians(lat))

    def approx(self, lat: float, lon: float) -> float:
        dx = (lon - self.lon) * self.kx
        dy = (lat - self.lat) * KM_PER_DEGREE_LAT
        return math.sqrt(dx * dx + dy * dy)

    def exact(self, lat: float, lon: float) -> float:
        return distance_km(self.lat, self.lon, lat, lon)

    def approx_all(self, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        """`approx` to many points at once (NaN where a point is missing)."""
        return np.hypot((lons - self.lon) * self.kx, (lats - self.lat) * KM_PER_DEGREE_LAT)

    def exact_all(self, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        """`exact` (haversine, as `distance_km`) to many points at once."""
        p1, p2 = math.radians(self.lat), np.radians(lats)
        h = (np.sin((p2 - p1) / 2) ** 2
             + math.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - self.lon) / 2) ** 2)
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def nearest_km(lat: float, lon: float, points: Iterable[tuple[float, float]]) -> float | None:
    """Distance to the nearest of several points, None without any."""
    best: float | None = None
    for plat, plon in points:
        d = distance_km(lat, lon, plat, plon)
        if best is None or d < best:
            best = d
    return best


def _steps(level: int) -> tuple[float, float]:
    size = LEVEL_SIZES_KM[level]
    return size / KM_PER_DEGREE_LAT, size / KM_PER_DEGREE_LON


def cell_id(level: int, lat_index: int, lon_index: int) -> int:
    return level * 10**13 + lat_index * 10**6 + lon_index


def _indices(level: int, lat: float, lon: float) -> tuple[int, int]:
    dlat, dlon = _steps(level)
    return math.floor((lat + 90.0) / dlat), math.floor((lon + 180.0) / dlon)


def cells_of_point(lat: float, lon: float) -> list[int]:
    """The cell of a point on every level."""
    return [cell_id(level, *_indices(level, lat, lon)) for level in range(len(LEVEL_SIZES_KM))]


@dataclass(frozen=True)
class Cover:
    """The cells around a circle: wholly inside, or crossed by its edge."""

    inner: tuple[int, ...]
    edge: tuple[int, ...]


def _level_for(radius_km: float) -> int:
    for level in range(len(LEVEL_SIZES_KM) - 1, -1, -1):
        if 2 * radius_km / LEVEL_SIZES_KM[level] + 1 > MAX_CELLS_ACROSS:
            return min(level + 1, len(LEVEL_SIZES_KM) - 1)
    return 0


class _Plane:
    """Kilometres east and north of the centre (equirectangular): fast, and close enough to
    sort cells into inside/edge/outside with a margin; offers near the edge are measured
    exactly."""

    def __init__(self, lat: float, lon: float, radius_km: float) -> None:
        self.lat = lat
        self.lon = lon
        self.kx = KM_PER_DEGREE_LAT * max(0.01, math.cos(math.radians(lat)))
        self.inside_sq = (radius_km * 0.99) ** 2
        self.outside_sq = (radius_km * 1.01 + 0.05) ** 2

    def classify(self, level: int, i: int, j: int) -> str | None:
        """ "inner", "edge" or None (outside) for one cell."""
        dlat, dlon = _steps(level)
        south = (i * dlat - 90.0 - self.lat) * KM_PER_DEGREE_LAT
        north = south + dlat * KM_PER_DEGREE_LAT
        west = (j * dlon - 180.0 - self.lon) * self.kx
        east = west + dlon * self.kx
        near_x = min(max(0.0, west), east)
        near_y = min(max(0.0, south), north)
        if near_x * near_x + near_y * near_y > self.outside_sq:
            return None
        far_x = max(abs(west), abs(east))
        far_y = max(abs(south), abs(north))
        return "inner" if far_x * far_x + far_y * far_y <= self.inside_sq else "edge"


@lru_cache(maxsize=512)
def cover(lat: float, lon: float, radius_km: float) -> Cover:
    """Cells for a circle (kept for repeated searches around the same point)."""
    level = _level_for(radius_km)
    reach_lat = radius_km / KM_PER_DEGREE_LAT
    coslat = max(0.01, math.cos(math.radians(lat)))
    reach_lon = min(180.0, radius_km / (KM_PER_DEGREE_LAT * coslat))
    lat_lo, lon_lo = _indices(level, max(-90.0, lat - reach_lat), lon - reach_lon)
    lat_hi, lon_hi = _indices(level, min(90.0, lat + reach_lat), lon + reach_lon)
    plane = _Plane(lat, lon, radius_km)
    inner: list[int] = []
    cells = [(i, j) for i in range(lat_lo, lat_hi + 1) for j in range(lon_lo, lon_hi + 1)]
    edge: list[tuple[int, int]] = []
    for split in range(SPLIT_LEVELS + 1):
        edge = []
        for i, j in cells:
            kind = plane.classify(level, i, j)
            if kind == "inner":
                inner.append(cell_id(level, i, j))
            elif kind == "edge":
                edge.append((i, j))
        if split == SPLIT_LEVELS or level == 0:
            break
        level -= 1
        cells = [(4 * i + a, 4 * j + b) for i, j in edge for a in range(4) for b in range(4)]
    return Cover(inner=tuple(inner), edge=tuple(cell_id(level, i, j) for i, j in edge))
