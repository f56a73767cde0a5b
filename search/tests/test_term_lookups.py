"""Looking several terms up one by one finds what tantivy's term set finds."""

from __future__ import annotations

from pathlib import Path

import pytest
import tantivy

from search import embedded_query as eq
from search import synthetic
from search.embedded import EmbeddedEngine
from search.embedded_schema import key_of


@pytest.mark.parametrize("separate", [0, 1000])
def test_any_of_several_terms_finds_the_documents_of_a_term_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, separate: int
) -> None:
    monkeypatch.setattr(eq, "SEPARATE_TERMS", separate)
    offers = list(synthetic.offers(200, seed=9))
    engine = EmbeddedEngine(tmp_path / "search")
    engine.rebuild(offers)
    searcher = engine._ready_index().searcher()
    schema = engine._schema
    lookups: list[tuple[str, list[str | int]]] = [
        ("key", [key_of(o.id) for o in offers[::3]]),
        ("key", [key_of(offers[5].id)]),
        ("body_stem", ["berat", "kurs", "nicht-im-index"]),
        ("facet", ["language:ar"]),
    ]
    for field, values in lookups:
        wanted = searcher.search(tantivy.Query.term_set_query(schema, field, values), limit=300)
        found = searcher.search(eq.one_of(schema, field, values), limit=300)
        assert found.count == wanted.count > 0, field  # type: ignore[attr-defined]
        assert {a.doc for _s, a in found.hits} == {a.doc for _s, a in wanted.hits}
