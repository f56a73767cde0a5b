"""Facet counts remembered per index generation.

Counting facets is as dear as the ranked search itself, and the counts of a query do not depend
on its page or order: paging through results, sorting them otherwise or coming back to them
asks for the same counts again. The counts stay valid until the index changes; every commit
(from this process or another) starts a new generation and empties the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import msgspec

from search.engine import SearchQuery

Facets = dict[str, dict[str, int]]


def facet_key(query: SearchQuery, every_word: bool) -> bytes:
    """What decides the counts: the query without its page, page size and order."""
    counted = msgspec.structs.replace(query, page=1, per_page=1, sort="relevance")
    return msgspec.msgpack.encode((every_word, counted))


class FacetCache:
    """At most `size` answers of the current generation (0: remember nothing).

    Generations are the engine's count of the index versions it has opened, so they only grow."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._generation = -1
        self._entries: OrderedDict[bytes, tuple[int, Facets]] = OrderedDict()

    def get(self, generation: int, key: bytes, total: int) -> Facets | None:
        """The counts remembered for this key, if of this generation and the same total."""
        with self._lock:
            if generation != self._generation:
                return None
            found = self._entries.get(key)
            if found is None or found[0] != total:
                return None
            self._entries.move_to_end(key)
        # Callers may change the answer they get (routes drop a facet nobody asked for).
        return {name: dict(counts) for name, counts in found[1].items()}

    def put(self, generation: int, key: bytes, total: int, facets: Facets) -> None:
        if self.size <= 0:
            return
        with self._lock:
            if generation < self._generation:
                return  # counted on an index older than what others have seen since
            if generation > self._generation:
                self._generation = generation
                self._entries.clear()
            self._entries[key] = (total, {name: dict(c) for name, c in facets.items()})
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
