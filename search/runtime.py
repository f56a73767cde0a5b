"""The search engine of this process, chosen by the settings.

SEARCH_URL set: Meilisearch. Otherwise the embedded index in `<data_dir>/search/`. Every process
may read the embedded index. A web process opens it read-only (`open_read_only`) and may write
only after it takes the duty (`allow_writes`, see `core.duty`); commands and tests open it
writable at first use.
"""

from __future__ import annotations

import threading

from search.embedded import EmbeddedEngine
from search.engine import SearchEngine
from settings import Settings, get_settings

_lock = threading.Lock()
_engine: SearchEngine | None = None


def open_engine(settings: Settings, writable: bool = True) -> SearchEngine:
    if settings.search_url:
        from search.meili import MeiliEngine

        return MeiliEngine(settings.search_url, settings.search_api_key)
    return EmbeddedEngine(
        settings.data_dir / "search", writable=writable, cache=settings.search_cache
    )


def open_read_only() -> SearchEngine:
    """Open this process's engine without the right to write (a web process before the duty)."""
    global _engine
    with _lock:
        if _engine is None:
            _engine = open_engine(get_settings(), writable=False)
        return _engine


def allow_writes() -> None:
    engine = get_engine()
    if isinstance(engine, EmbeddedEngine):
        engine.allow_writes()


def release_writer() -> None:
    with _lock:
        engine = _engine
    if isinstance(engine, EmbeddedEngine):
        engine.release_writer()


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
