"""What a search works out from the index, remembered until the index changes.

Counting facets is as dear as the ranked search itself, and the counts of a query do not depend
on its page or order: paging through results, sorting them otherwise or coming back to them
asks for the same counts again. Likewise a search page keeps its words or its place while
filters change, so the text query (built after looking its words up in the index) and the
radius filter (built after measuring the offers near the circle's edge) are asked for again.
All of it stays valid until the index changes; every commit (from this process or another)
starts a new generation and empties the caches.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

import msgspec

from search.engine import SearchQuery

V = TypeVar("V")


def facet_key(query: SearchQuery, every_word: bool) -> bytes:
    """What decides the facet counts: the query without its page, page size and order."""
    counted = msgspec.structs.replace(query, page=1, per_page=1, sort="relevance")
    return msgspec.msgpack.encode((every_word, counted))


class GenerationCache(Generic[V]):
    """At most `size` values of the current generation (0: remember nothing).

    Generations are the engine's count of the index versions it has opened, so they only grow.
    Values are shared between callers: they must not be changed."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._generation = -1
        self._entries: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, generation: int, key: Hashable) -> V | None:
        with self._lock:
            if generation != self._generation:
                return None
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, generation: int, key: Hashable, value: V) -> None:
        if self.size <= 0:
            return
        with self._lock:
            if generation < self._generation:
                return  # worked out on an index older than what others have seen since
            if generation > self._generation:
                self._generation = generation
                self._entries.clear()
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
