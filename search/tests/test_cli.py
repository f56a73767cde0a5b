"""`lotse reindex`."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from conftest import run
from search.cli import reindex
from search.embedded import EmbeddedEngine
from search.engine import SearchQuery
from search.tests import directory_rows as rows


def test_reindex_fills_the_index_from_the_database(db: None, search_engine: EmbeddedEngine) -> None:
    async def make() -> None:
        org = await rows.organization()
        for name in ("Sprachcafé", "Elterncafé", "Nähwerkstatt"):
            await rows.service(org, name)

    run(make())
    outcome = CliRunner().invoke(reindex, [])
    assert outcome.exit_code == 0, outcome.output
    assert "Search index rebuilt: 3 offers." in outcome.output
    assert search_engine.search(SearchQuery(text="cafe")).total == 2


def test_reindex_explains_a_busy_index(db: None, tmp_path: Any) -> None:
    from search.runtime import use_engine

    holder = EmbeddedEngine(tmp_path / "busy")
    holder._write_handle()  # another process would hold it like this
    previous = use_engine(EmbeddedEngine(tmp_path / "busy"))
    try:
        outcome = CliRunner().invoke(reindex, [])
    finally:
        use_engine(previous)
    assert outcome.exit_code == 1
    assert "another process holds the search index writer" in outcome.output
    assert "lotse worker" in outcome.output
