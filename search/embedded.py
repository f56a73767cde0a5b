"""The embedded search engine: a tantivy index in `<data_dir>/search/`, no server needed.

Only one process may hold the index writer; it takes it with its first write, which only the
process applying the outbox (the web process by default, `lotse worker` at scale) or
`lotse reindex` makes. Other processes only read and see new commits at their next search.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import tantivy

from search import embedded_query as eq
from search import german
from search.embedded_schema import (
    COMBINED,
    FACET_KINDS,
    FAST_LOCATIONS,
    FLAGS,
    SCHEMA_VERSION,
    build_schema,
    decode,
    facet_value,
    to_tantivy,
)
from search.engine import (
    EngineHealth,
    OfferDocument,
    SearchHit,
    SearchQuery,
    SearchResult,
    validate_query,
)
from search.geo import Ruler, cover, nearest_km

Q = tantivy.Query
Occur = tantivy.Occur

# Radii tried in turn when sorting by distance, until enough offers are inside.
DISTANCE_STEPS_KM = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0)
# Up to this many candidates are simply all measured and sorted.
DIRECT_SORT_LIMIT = 5000
# Distinct value combinations counted per facet (tantivy's limit is 65,000 buckets in all).
FACET_BUCKETS = 10_000
REBUILD_BATCH = 5000
VERSION_FILE = "lotse-schema-version"


class IndexUnavailableError(RuntimeError):
    """The index cannot be used right now; the message says why."""


class EmbeddedEngine:
    name = "embedded"

    def __init__(self, path: Path, writable: bool = True, heap_bytes: int = 100_000_000) -> None:
        self.path = Path(path)
        self.writable = writable
        self._heap = heap_bytes
        self._schema = build_schema()
        self._index: tantivy.Index | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.Lock()
        # True when the index was (re)created empty and must be filled from the database.
        self.needs_rebuild = False
        self._seen_meta: int | None = None
        self._open()

    # ----- opening -------------------------------------------------------------------------

    def _version_ok(self) -> bool:
        marker = self.path / VERSION_FILE
        return marker.exists() and marker.read_text().strip() == str(SCHEMA_VERSION)

    def _create(self) -> tantivy.Index:
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        index = tantivy.Index(self._schema, path=str(self.path))
        (self.path / VERSION_FILE).write_text(str(SCHEMA_VERSION))
        self.needs_rebuild = True
        return index

    def _open(self) -> None:
        index: tantivy.Index | None = None
        if self.path.is_dir() and tantivy.Index.exists(str(self.path)) and self._version_ok():
            try:
                index = tantivy.Index.open(str(self.path))
                index.searcher().num_docs  # noqa: B018 - reading fails on a damaged index
            except (ValueError, OSError):
                index = None
        if index is None:
            if not self.writable:
                return  # the writing process creates it; until then searches find nothing
            index = self._create()
        index.config_reader(reload_policy="commit")
        self._index = index

    def _ready_index(self) -> tantivy.Index:
        if self._index is None:
            self._open()
        if self._index is None:
            raise IndexUnavailableError("the search index has not been built yet")
        return self._index

    def _fresh_index(self) -> tantivy.Index:
        """The index, reloaded first in a reader when the writer has committed since.

        A process that does not hold the writer learns of commits by another one this way:
        tantivy's own watcher notices them within about half a second; looking at the commit
        file's time on each search costs one stat call and shows changes at once."""
        index = self._ready_index()
        if self._writer is None:
            try:
                stamp = (self.path / "meta.json").stat().st_mtime_ns
            except OSError:
                return index
            if stamp != self._seen_meta:
                index.reload()
                self._seen_meta = stamp
        return index

    def _write_handle(self) -> tantivy.IndexWriter:
        if not self.writable:
            raise IndexUnavailableError("this process opened the search index read-only")
        if self._writer is None:
            try:
                self._writer = self._ready_index().writer(heap_size=self._heap, num_threads=1)
            except ValueError as exc:
                raise IndexUnavailableError(
                    f"another process holds the search index writer ({exc})"
                ) from exc
        return self._writer

    # ----- writing -------------------------------------------------------------------------

    def index(self, documents: Sequence[OfferDocument]) -> None:
        if not documents:
            return
        with self._lock:
            writer = self._write_handle()
            for document in documents:
                writer.delete_documents_by_term("id", str(document.id))
                writer.add_document(to_tantivy(document))
            self._commit(writer)

    def delete(self, ids: Sequence[UUID]) -> None:
        if not ids:
            return
        with self._lock:
            writer = self._write_handle()
            for offer_id in ids:
                writer.delete_documents_by_term("id", str(offer_id))
            self._commit(writer)

    def rebuild(
        self,
        documents: Iterable[OfferDocument],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        count = 0
        with self._lock:
            writer = self._write_handle()
            try:
                writer.delete_all_documents()
                for document in documents:
                    writer.add_document(to_tantivy(document))
                    count += 1
                    if progress is not None and count % 500 == 0:
                        progress(500)
                self._commit(writer)
            except BaseException:
                writer.rollback()
                raise
            if progress is not None:
                progress(count % 500)
            self.needs_rebuild = False
        return count

    def _commit(self, writer: tantivy.IndexWriter) -> None:
        writer.commit()
        self._ready_index().reload()

    # ----- reading -------------------------------------------------------------------------

    def health(self) -> EngineHealth:
        try:
            documents = self._ready_index().searcher().num_docs
        except (IndexUnavailableError, ValueError, OSError) as exc:
            return EngineHealth(engine=self.name, ok=False, detail=str(exc))
        detail = "holds the writer" if self._writer is not None else "reads"
        return EngineHealth(engine=self.name, ok=True, documents=documents, detail=detail)

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.wait_merging_threads()
                self._writer = None
            self._index = None

    def search(self, query: SearchQuery) -> SearchResult:
        validate_query(query)
        try:
            index = self._fresh_index()
        except IndexUnavailableError:
            return SearchResult(hits=[], total=0, page=query.page, per_page=query.per_page)
        searcher = index.searcher()
        filters = eq.filter_clauses(self._schema, query)
        builder = eq.TextQueryBuilder(self._schema, searcher)
        matching = builder.text(query.text)
        result = self._search_with(searcher, query, matching, filters)
        several_words = len(german.QueryWords(query.text).words) > 1
        if result.total == 0 and matching is not None and several_words:
            # Nothing has every word: show what has some of them, best matches first.
            matching = builder.text(query.text, every_word=False)
            result = self._search_with(searcher, query, matching, filters)
        return result

    def _search_with(
        self,
        searcher: tantivy.Searcher,
        query: SearchQuery,
        matching: tantivy.Query | None,
        filters: list[tantivy.Query],
    ) -> SearchResult:
        base = eq.combine(matching, filters)
        final = base
        if query.near is not None and query.radius_km is not None:
            near = query.near
            final = _both(
                base, self._within(searcher, near.latitude, near.longitude, query.radius_km)
            )
        if query.sort == "distance":
            hits, total = self._by_distance(searcher, final, query)
        else:
            hits, total = self._ranked(searcher, final, query, matching is None)
        facets = self._facets(searcher, final, query.facets, total) if query.facets else {}
        return SearchResult(
            hits=hits, total=total, page=query.page, per_page=query.per_page, facets=facets
        )

    def _ranked(
        self,
        searcher: tantivy.Searcher,
        final: tantivy.Query,
        query: SearchQuery,
        no_text: bool,
    ) -> tuple[list[SearchHit], int]:
        order_by: str | None = None
        order = tantivy.Order.Desc
        if query.sort == "free_places" or (query.sort == "relevance" and no_text):
            order_by = "free_places"
        elif query.sort == "next_start":
            order_by, order = "next_start", tantivy.Order.Asc
        found = searcher.search(
            final,
            limit=query.per_page,
            offset=query.offset,
            count=True,
            order_by_field=order_by,
            order=order,
            weight_by_field="rank" if order_by is None else None,
        )
        hits = []
        for score, address in found.hits:
            document = _document(searcher, address)
            value = float(score) if order_by is None else 0.0
            hits.append(self._hit(document, value, query))
        return hits, _found(found)

    def _hit(self, document: OfferDocument, score: float, query: SearchQuery) -> SearchHit:
        distance = None
        if query.near is not None:
            distance = nearest_km(query.near.latitude, query.near.longitude, document.coordinates())
        return SearchHit(id=document.id, score=score, distance_km=distance, document=document)

    # ----- geography -----------------------------------------------------------------------

    def _within(
        self,
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
            parts.append((Occur.Should, Q.term_set_query(self._schema, "geo_cell", inner)))
        if cells.edge:
            # Offers near the edge are measured whatever else the query asks: cheaper than
            # running the whole query once more.
            candidates = Q.term_set_query(self._schema, "geo_cell", list(cells.edge))
            addresses = _all_addresses(searcher, candidates)
            distances = _distances(searcher, addresses, lat, lon, exact_near=radius_km)
            inside = [key for key, d in distances.items() if d <= radius_km]
            if inside:
                parts.append((Occur.Should, Q.term_set_query(self._schema, "key", inside)))
        if not parts:
            return Q.empty_query()
        return Q.boolean_query(parts)

    def _by_distance(
        self, searcher: tantivy.Searcher, final: tantivy.Query, query: SearchQuery
    ) -> tuple[list[SearchHit], int]:
        """Offers nearest first; `final` already holds the radius if there is one."""
        assert query.near is not None
        lat, lon = query.near.latitude, query.near.longitude
        needed = query.offset + query.per_page
        located_flag = Q.term_query(self._schema, "facet", facet_value("flag", "located"))
        located = _both(final, located_flag)
        found = searcher.search(located, limit=DIRECT_SORT_LIMIT, count=True)
        count = _found(found)
        addresses = [address for _score, address in found.hits]
        radius: float | None = None
        if count > len(addresses):
            # Many candidates: find a circle that surely holds enough of them, sort only those.
            for step in DISTANCE_STEPS_KM:
                cells = cover(lat, lon, step)
                if not cells.inner:
                    continue
                inner = Q.term_set_query(self._schema, "geo_cell", list(cells.inner))
                if _count(searcher, _both(located, inner)) >= needed:
                    all_cells = [*cells.inner, *cells.edge]
                    near = Q.term_set_query(self._schema, "geo_cell", all_cells)
                    addresses = _all_addresses(searcher, _both(located, near))
                    radius = step
                    break
            else:
                addresses = _all_addresses(searcher, located)
        distances = _distances(searcher, addresses, lat, lon, exact_near=radius)
        keys = searcher.fast_field_values("key", addresses)
        ranked = sorted(
            (
                (distances[key], key, address)
                for key, address in zip(keys, addresses, strict=True)
                if isinstance(key, int) and (radius is None or distances[key] <= radius)
            ),
            key=lambda item: (item[0], item[1]),
        )
        page = [address for _d, _key, address in ranked[query.offset : needed]]
        total = count if query.radius_km is not None else _count(searcher, final)
        if len(page) < query.per_page and total > count:
            # Offers without a place (online, by phone) come after every located one.
            unlocated = Q.boolean_query([(Occur.Must, final), (Occur.MustNot, located_flag)])
            rest = searcher.search(
                unlocated,
                limit=query.per_page - len(page),
                offset=max(0, query.offset - count),
                order_by_field="free_places",
            )
            page += [address for _value, address in rest.hits]
        hits = [self._hit(_document(searcher, address), 0.0, query) for address in page]
        return hits, total

    # ----- facets --------------------------------------------------------------------------

    def _facets(
        self,
        searcher: tantivy.Searcher,
        final: tantivy.Query,
        names: Sequence[str],
        total: int,
    ) -> dict[str, dict[str, int]]:
        request: dict[str, Any] = {
            name: {"terms": {"field": f"fc_{FACET_KINDS[name]}", "size": FACET_BUCKETS}}
            for name in names
            if name in FACET_KINDS
        }
        if any(name not in FACET_KINDS for name in names):
            request["flags"] = {"terms": {"field": "fc_flags", "size": 2 ** len(FLAGS)}}
        answer = searcher.aggregate(final, request) if total and request else {}
        facets: dict[str, dict[str, int]] = {}
        for name in names:
            if name in FACET_KINDS:
                counts: dict[str, int] = {}
                for bucket in answer.get(name, {}).get("buckets", []):
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


def _found(result: tantivy.SearchResult) -> int:
    """The number of matching documents (the type stubs lack this attribute)."""
    count = getattr(result, "count", None)
    return int(count) if count is not None else 0


def _count(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    return _found(searcher.search(query, limit=1, count=True))


def _both(first: tantivy.Query, second: tantivy.Query) -> tantivy.Query:
    return Q.boolean_query([(Occur.Must, first), (Occur.Must, Q.const_score_query(second, 0.0))])


def _document(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> OfferDocument:
    data = searcher.doc(address).get_first("doc")
    assert isinstance(data, bytes)
    return decode(data)


def _all_addresses(searcher: tantivy.Searcher, query: tantivy.Query) -> list[tantivy.DocAddress]:
    found = searcher.search(query, limit=2000, count=True)
    count = _found(found)
    if count > len(found.hits):
        found = searcher.search(query, limit=count, count=False)
    return [address for _score, address in found.hits]


def _distances(
    searcher: tantivy.Searcher,
    addresses: list[tantivy.DocAddress],
    lat: float,
    lon: float,
    exact_near: float | None = None,
) -> dict[int, float]:
    """Distance from the point to the nearest location of each offer, by offer key.

    Flat-earth distances (fast, for ordering); measured on the sphere where one is within 1 %
    of `exact_near`, so that a radius is applied exactly."""
    ruler = Ruler(lat, lon)
    keys = searcher.fast_field_values("key", addresses)
    counts = searcher.fast_field_values("n_loc", addresses)
    columns = [
        (
            searcher.fast_field_values(f"lat{n}", addresses),
            searcher.fast_field_values(f"lon{n}", addresses),
        )
        for n in range(FAST_LOCATIONS)
    ]
    result: dict[int, float] = {}
    for row, (key, count) in enumerate(zip(keys, counts, strict=True)):
        assert isinstance(key, int) and isinstance(count, int)
        if count > FAST_LOCATIONS:
            # Many locations: read them all from the stored document.
            points = _document(searcher, addresses[row]).coordinates()
        else:
            points = [(lats[row], lons[row]) for lats, lons in columns[:count]]  # type: ignore[misc]
        best = min((ruler.approx(plat, plon) for plat, plon in points), default=float("inf"))
        if exact_near is not None and abs(best - exact_near) <= exact_near * 0.01 + 0.01:
            best = min(ruler.exact(plat, plon) for plat, plon in points)
        result[key] = best
    return result
