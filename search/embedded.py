"""The embedded search engine: a tantivy index in `<data_dir>/search/`, no server needed.

Only one process may hold the index writer: the one holding the duty lock (`core.duty`: it
applies the outbox), or a command such as `lotse reindex`. Web processes open the index
read-only and are allowed to write once they take the duty; readers see new commits at their
next search (one stat of `meta.json`).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar
from uuid import UUID

import tantivy

from search import embedded_query as eq
from search import embedded_reading as reading
from search import german
from search.embedded_schema import (
    SCHEMA_VERSION,
    build_schema,
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
from search.generation_cache import GenerationCache, facet_key
from search.geo import nearest_km

Q = tantivy.Query
Occur = tantivy.Occur
V = TypeVar("V")
Facets = dict[str, dict[str, int]]

REBUILD_BATCH = 5000
VERSION_FILE = "lotse-schema-version"


class IndexUnavailableError(RuntimeError):
    """The index cannot be used right now; the message says why."""


class EmbeddedEngine:
    name = "embedded"

    def __init__(
        self,
        path: Path,
        writable: bool = True,
        heap_bytes: int = 100_000_000,
        cache: int = 128,
    ) -> None:
        self.path = Path(path)
        # Looked at before every search: a plain string spares building a path each time.
        self._meta_file = os.fspath(self.path / "meta.json")
        self.writable = writable
        self._heap = heap_bytes
        self._schema = build_schema()
        self._index: tantivy.Index | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.Lock()
        # True when the index was (re)created empty and must be filled from the database.
        self.needs_rebuild = False
        self._seen_meta: int | None = None
        # Grows each time this process opens a newer version of the index (the caches' key).
        self._opened = 0
        # Per generation: facet counts with the total they were counted for, text queries
        # (a 1-tuple, as a text without words has none) and radius filters.
        self._facets: GenerationCache[tuple[int, Facets]] = GenerationCache(cache)
        self._texts: GenerationCache[tuple[tantivy.Query | None]] = GenerationCache(cache)
        self._radii: GenerationCache[tantivy.Query] = GenerationCache(cache)
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
                stamp = os.stat(self._meta_file).st_mtime_ns
            except OSError:
                return index
            if stamp != self._seen_meta:
                index.reload()
                self._seen_meta = stamp
                self._opened += 1
        return index

    def allow_writes(self) -> None:
        """This process now holds the duty: it may create the index and take the writer."""
        with self._lock:
            self.writable = True
            if self._index is None:
                self._open()

    def release_writer(self) -> None:
        """Give the writer up (and stop writing), so that the next duty holder can take it."""
        with self._lock:
            self.writable = False
            if self._writer is not None:
                self._writer.wait_merging_threads()
                self._writer = None

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
        self._opened += 1

    # ----- reading -------------------------------------------------------------------------

    def health(self) -> EngineHealth:
        try:
            documents = self._ready_index().searcher().num_docs
        except (IndexUnavailableError, ValueError, OSError) as exc:
            return EngineHealth(engine=self.name, ok=False, detail=str(exc))
        detail = "holds the writer" if self._writer is not None else "reads"
        return EngineHealth(engine=self.name, ok=True, documents=documents, detail=detail)

    def generation(self) -> object | None:
        # Every commit, from this process or another, rewrites meta.json.
        try:
            return (id(self), (self.path / "meta.json").stat().st_mtime_ns)
        except OSError:
            return (id(self), None)

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
        # Read before the searcher is taken: what a search works out is remembered only if no
        # newer version of the index was opened meanwhile.
        opened = self._opened
        searcher = index.searcher()
        result = self._search_with(searcher, query, every_word=True, opened=opened)
        several_words = len(german.QueryWords(query.text).words) > 1
        if result.total == 0 and several_words:
            # Nothing has every word: show what has some of them, best matches first.
            result = self._search_with(searcher, query, every_word=False, opened=opened)
        return result

    def _remembered(
        self, cache: GenerationCache[V], opened: int, key: Hashable, make: Callable[[], V]
    ) -> V:
        found = cache.get(opened, key)
        if found is None:
            found = make()
            if opened == self._opened:  # not if a newer index was opened meanwhile
                cache.put(opened, key, found)
        return found

    def _text(
        self,
        searcher: tantivy.Searcher,
        opened: int,
        query: SearchQuery,
        every_word: bool,
        matching: bool = False,
    ) -> tantivy.Query | None:
        builder = eq.TextQueryBuilder(self._schema, searcher, matching=matching)
        key = (query.text, every_word, matching)
        return self._remembered(
            self._texts, opened, key, lambda: (builder.text(query.text, every_word),)
        )[0]

    def _search_with(
        self, searcher: tantivy.Searcher, query: SearchQuery, every_word: bool, opened: int
    ) -> SearchResult:
        filters = eq.filter_clauses(self._schema, query)
        scoring = self._text(searcher, opened, query, every_word)
        final = eq.combine(scoring, filters)
        radius = None
        if query.near is not None and query.radius_km is not None:
            lat, lon, km = query.near.latitude, query.near.longitude, query.radius_km
            radius = self._remembered(
                self._radii, opened, (lat, lon, km),
                lambda: reading.within(self._schema, searcher, lat, lon, km),
            )
            final = reading.both(final, radius)
        if query.sort == "distance":
            page, total = reading.by_distance(self._schema, searcher, final, query)
            hits = [self._hit(reading.document_at(searcher, a), 0.0, query) for a in page]
        else:
            hits, total = self._ranked(searcher, final, query, scoring is None)
        facets: Facets = {}
        if query.facets and total:
            key = facet_key(query, every_word)
            found = self._facets.get(opened, key)
            if found is None or found[0] != total:
                # Counting needs only which offers match: a lighter query finds the same ones.
                counting = self._text(searcher, opened, query, every_word, matching=True)
                matching = eq.combine(counting, filters)
                if radius is not None:
                    matching = reading.both(matching, radius)
                found = (total, reading.facets(searcher, matching, query.facets, total))
                if opened == self._opened:
                    self._facets.put(opened, key, found)
            # A copy: callers may change what they get (routes drop a facet nobody asked for).
            facets = {name: dict(counts) for name, counts in found[1].items()}
        elif query.facets:
            facets = reading.facets(searcher, final, query.facets, 0)
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
            document = reading.document_at(searcher, address)
            value = float(score) if order_by is None else 0.0
            hits.append(self._hit(document, value, query))
        return hits, reading.found_count(found)

    def _hit(self, document: OfferDocument, score: float, query: SearchQuery) -> SearchHit:
        distance = None
        if query.near is not None:
            distance = nearest_km(query.near.latitude, query.near.longitude, document.coordinates())
        return SearchHit(id=document.id, score=score, distance_km=distance, document=document)
