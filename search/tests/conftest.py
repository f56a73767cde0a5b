"""Engines for the search tests: the embedded index always, Meilisearch when MEILI_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.embedded import EmbeddedEngine
from search.engine import SearchEngine
from search.tests.corpus import OFFERS

MEILI_URL = os.environ.get("MEILI_URL", "").strip()
ENGINE_NAMES = ["embedded", "meilisearch"]


def open_engine(name: str, folder: Path) -> tuple[SearchEngine, object]:
    """A fresh, empty engine and what is needed to clean it up."""
    if name == "embedded":
        return EmbeddedEngine(folder / "search"), None
    if not MEILI_URL:
        pytest.skip("Meilisearch runs need MEILI_URL (and MEILI_KEY if the server has one)")
    from search.meili import MeiliEngine

    uid = f"lotse_test_{uuid.uuid4().hex[:10]}"
    engine = MeiliEngine(MEILI_URL, os.environ.get("MEILI_KEY") or None, index_uid=uid)
    return engine, uid


def _cleanup(engine: SearchEngine, handle: object) -> None:
    engine.close()
    if handle is not None:
        from search.meili import MeiliEngine

        assert isinstance(engine, MeiliEngine)
        engine._client.delete_index(str(handle))


@pytest.fixture
def search_engine(tmp_path: Path) -> Iterator[EmbeddedEngine]:
    """A fresh embedded index used by this process's application and outbox consumer."""
    import search.consumers  # noqa: F401 - registers the indexer with the outbox
    from search.runtime import use_engine

    fresh = EmbeddedEngine(tmp_path / "search-index")
    fresh.needs_rebuild = False  # starts empty, like the emptied test database
    previous = use_engine(fresh)
    yield fresh
    use_engine(previous)
    fresh.close()


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchEngine]:
    """An empty engine of each kind."""
    opened, handle = open_engine(request.param, tmp_path)
    yield opened
    _cleanup(opened, handle)


@pytest.fixture(scope="module", params=ENGINE_NAMES)
def directory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchEngine]:
    """An engine of each kind holding the test corpus (shared by a module's tests: read only)."""
    opened, handle = open_engine(request.param, tmp_path_factory.mktemp("search"))
    opened.index(OFFERS)
    yield opened
    _cleanup(opened, handle)
