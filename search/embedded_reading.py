"""Reading the embedded index: radius filters, distance order and facet counts.

Functions over an open searcher; `search.embedded` puts them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import tantivy

from search.embedded_query import one_of
from search.embedded_schema import (
    COMBINED,
    FACET_KINDS,
    FACET_SLOTS,
    FAST_LOCATIONS,
    FLAGS,
    decode,
    facet_value,
    slot_field,
)
from search.engine import OfferDocument, SearchQuery
from search.geo import Ruler, cover

Q = tantivy.Query
Occur = tantivy.Occur

# Radii tried in turn when sorting by distance, until enough offers are inside.
DISTANCE_STEPS_KM = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0)
# Up to this many candidates are simply all measured and sorted.
DIRECT_SORT_LIMIT = 1000
# Distinct values counted per slot column (tantivy's limit is 65,000 buckets in all).
FACET_BUCKETS = 10_000


def within(
    schema: tantivy.Schema,
    searcher: tantivy.Searcher,
    lat: float,
    lon: float,
    radius_km: float,
) -> tantivy.Query:
    """A filter for offers with a location at most `radius_km` from the point."""
    cells = cover(lat, lon, radius_km)
    parts: list[tuple[tantivy.Occur, tantivy.Query]] = []
    if cells.inner:
        inner = list(cells.inner)
        parts.append((Occur.Should, Q.term_set_query(schema, "geo_cell", inner)))
    if cells.edge:
        # Offers near the edge are measured whatever else the query asks: cheaper than
        # running the whole query once more.
        candidates = Q.term_set_query(schema, "geo_cell", list(cells.edge))
        addresses = all_addresses(searcher, candidates)
        measured = distances(searcher, addresses, lat, lon, exact_near=radius_km)
        inside = [key for key, d in measured.items() if d <= radius_km]
        if inside:
            parts.append((Occur.Should, one_of(schema, "key", inside)))
    if not parts:
        return Q.empty_query()
    return Q.boolean_query(parts)


def by_distance(
    schema: tantivy.Schema, searcher: tantivy.Searcher, final: tantivy.Query, query: SearchQuery
) -> tuple[list[tantivy.DocAddress], int]:
    """The page of offers nearest first, and the total; `final` holds the radius if any."""
    assert query.near is not None
    lat, lon = query.near.latitude, query.near.longitude
    needed = query.offset + query.per_page
    located_flag = Q.term_query(schema, "facet", facet_value("flag", "located"))
    located = both(final, located_flag)
    # One pass counts what matches and what of it has a place (sorting needs both), cheaper
    # than fetching the best thousand to learn whether there are more.
    matching, located_count = located_counts(searcher, final)
    addresses: list[tantivy.DocAddress] = []
    if 0 < located_count <= DIRECT_SORT_LIMIT:
        found = searcher.search(located, limit=located_count, count=False)
        addresses = [address for _score, address in found.hits]
    radius: float | None = None
    if located_count > DIRECT_SORT_LIMIT:
        # Many candidates: find a circle that surely holds enough of them, sort only those.
        for step in DISTANCE_STEPS_KM:
            cells = cover(lat, lon, step)
            if not cells.inner:
                continue
            inner = Q.term_set_query(schema, "geo_cell", list(cells.inner))
            if count(searcher, both(located, inner)) >= needed:
                all_cells = [*cells.inner, *cells.edge]
                near = Q.term_set_query(schema, "geo_cell", all_cells)
                addresses = all_addresses(searcher, both(located, near))
                radius = step
                break
        else:
            addresses = all_addresses(searcher, located)
    measured = distances(searcher, addresses, lat, lon, exact_near=radius)
    keys = searcher.fast_field_values("key", addresses)
    ranked = sorted(
        (
            (measured[key], key, address)
            for key, address in zip(keys, addresses, strict=True)
            if isinstance(key, int) and (radius is None or measured[key] <= radius)
        ),
        key=lambda item: (item[0], item[1]),
    )
    page = [address for _d, _key, address in ranked[query.offset : needed]]
    total = located_count if query.radius_km is not None else matching
    if len(page) < query.per_page and total > located_count:
        # Offers without a place (online, by phone) come after every located one.
        unlocated = Q.boolean_query([(Occur.Must, final), (Occur.MustNot, located_flag)])
        rest = searcher.search(
            unlocated,
            limit=query.per_page - len(page),
            offset=max(0, query.offset - located_count),
            order_by_field="free_places",
        )
        page += [address for _value, address in rest.hits]
    return page, total


def facets(
    searcher: tantivy.Searcher,
    final: tantivy.Query,
    names: Sequence[str],
    total: int,
) -> dict[str, dict[str, int]]:
    request: dict[str, Any] = {
        f"{name}.{slot}": {
            "terms": {"field": slot_field(FACET_KINDS[name], slot), "size": FACET_BUCKETS}
        }
        for name in names
        if name in FACET_KINDS
        for slot in range(FACET_SLOTS)
    }
    if any(name not in FACET_KINDS for name in names):
        request["flags"] = {"terms": {"field": "fc_flags", "size": 2 ** len(FLAGS)}}
    answer = searcher.aggregate(final, request) if total and request else {}
    facets: dict[str, dict[str, int]] = {}
    for name in names:
        if name in FACET_KINDS:
            counts: dict[str, int] = {}
            for slot in range(FACET_SLOTS):
                for bucket in answer.get(f"{name}.{slot}", {}).get("buckets", []):
                    for value in str(bucket["key"]).split(COMBINED):
                        counts[value] = counts.get(value, 0) + int(bucket["doc_count"])
            facets[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        else:
            bit = 1 << FLAGS.index(name)
            held = sum(
                int(b["doc_count"])
                for b in answer.get("flags", {}).get("buckets", [])
                if int(b["key"]) & bit
            )
            both = {"true": held, "false": total - held}
            facets[name] = {k: v for k, v in both.items() if v}
    return facets


def found_count(result: tantivy.SearchResult) -> int:
    """The number of matching documents (the type stubs lack this attribute)."""
    count = getattr(result, "count", None)
    return int(count) if count is not None else 0


def count(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    # An aggregation leaves scores out, which makes it cheaper than a counting search.
    answer = searcher.aggregate(query, {"n": {"value_count": {"field": "fc_flags"}}})
    return int(answer["n"]["value"] or 0)


def located_counts(searcher: tantivy.Searcher, query: tantivy.Query) -> tuple[int, int]:
    """How many offers match, and how many of them have a place on the map."""
    request = {"flags": {"terms": {"field": "fc_flags", "size": 2 ** len(FLAGS)}}}
    buckets = searcher.aggregate(query, request).get("flags", {}).get("buckets", [])
    bit = 1 << FLAGS.index("located")
    every = sum(int(b["doc_count"]) for b in buckets)
    located = sum(int(b["doc_count"]) for b in buckets if int(b["key"]) & bit)
    return every, located


def both(first: tantivy.Query, second: tantivy.Query) -> tantivy.Query:
    return Q.boolean_query([(Occur.Must, first), (Occur.Must, Q.const_score_query(second, 0.0))])


def document_at(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> OfferDocument:
    data = searcher.doc(address).get_first("doc")
    assert isinstance(data, bytes)
    return decode(data)


def all_addresses(searcher: tantivy.Searcher, query: tantivy.Query) -> list[tantivy.DocAddress]:
    found = searcher.search(query, limit=2000, count=True)
    matching = found_count(found)
    if matching > len(found.hits):
        found = searcher.search(query, limit=matching, count=False)
    return [address for _score, address in found.hits]


def distances(
    searcher: tantivy.Searcher,
    addresses: list[tantivy.DocAddress],
    lat: float,
    lon: float,
    exact_near: float | None = None,
) -> dict[int, float]:
    """Distance from the point to the nearest location of each offer, by offer key.

    Flat-earth distances (fast, for ordering), computed for all offers at once with NumPy
    (thousands lie near a radius' edge); measured on the sphere where one is within 1 % of
    `exact_near`, so that a radius is applied exactly."""
    if not addresses:
        return {}
    ruler = Ruler(lat, lon)
    keys = searcher.fast_field_values("key", addresses)
    counts = np.asarray(searcher.fast_field_values("n_loc", addresses), dtype=np.int64)
    near = np.full(len(addresses), np.inf)
    columns: list[tuple[np.ndarray, np.ndarray]] = []
    for n in range(min(FAST_LOCATIONS, int(counts.max(initial=0)))):
        # A missing value (an offer with fewer places) reads as NaN and never wins the minimum.
        lats = np.asarray(searcher.fast_field_values(f"lat{n}", addresses), dtype=np.float64)
        lons = np.asarray(searcher.fast_field_values(f"lon{n}", addresses), dtype=np.float64)
        columns.append((lats, lons))
        near = np.fmin(near, ruler.approx_all(lats, lons))
    # Distances this close to the radius are measured on the sphere.
    band = None if exact_near is None else exact_near * 0.01 + 0.01
    if exact_near is not None and band is not None:
        edge = np.abs(near - exact_near) <= band
        if edge.any():
            sphere = np.full(int(edge.sum()), np.inf)
            for lats, lons in columns:
                sphere = np.fmin(sphere, ruler.exact_all(lats[edge], lons[edge]))
            near[edge] = sphere
    values = near.tolist()
    # Offers with more places than the fast columns hold: all places from the stored document.
    for row in np.flatnonzero(counts > FAST_LOCATIONS).tolist():
        points = document_at(searcher, addresses[row]).coordinates()
        value = min(ruler.approx(plat, plon) for plat, plon in points)
        if exact_near is not None and band is not None and abs(value - exact_near) <= band:
            value = min(ruler.exact(plat, plon) for plat, plon in points)
        values[row] = value
    result: dict[int, float] = {}
    for key, value in zip(keys, values, strict=True):
        assert isinstance(key, int)
        result[key] = value
    return result

