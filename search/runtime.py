"""The search engine of this process, chosen by the settings.

SEARCH_URL set: Meilisearch. Otherwise the embedded index in `<data_dir>/search/`. Every process
may read the embedded index; the writer lock is taken by the first write, which only happens in
the process that delivers outbox events (the web process by default, `lotse worker` at scale) or
in `lotse reindex`.
"""

from __future__ import annotations

import threading

from search.embedded import EmbeddedEngine
from search.engine import SearchEngine
from settings import Settings, get_settings

_lock = threading.Lock()
_engine: SearchEngine | None = None


def open_engine(settings: Settings) -> SearchEngine:
    if settings.search_url:
        from search.meili import MeiliEngine

        return MeiliEngine(settings.search_url, settings.search_api_key)
    return EmbeddedEngine(settings.data_dir / "search")


def get_engine() -> SearchEngine:
    global _engine
    with _lock:
        if _engine is None:
            _engine = open_engine(get_settings())
        return _engine


def use_engine(engine: SearchEngine | None) -> SearchEngine | None:
    """Replace this process's engine (tests, benchmarks); returns the previous one."""
    global _engine
    with _lock:
        previous, _engine = _engine, engine
        return previous


def close_engine() -> None:
    global _engine
    with _lock:
        if _engine is not None:
            _engine.close()
        _engine = None
