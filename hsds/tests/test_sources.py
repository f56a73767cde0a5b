"""Reading sources: JSON arrays element by element, folders in dependency order."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from hsds import sources
from hsds.sources import BrokenRecordError, SourceError, files_in, iter_json_array, iter_path


def test_array_elements_survive_any_buffer_boundary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "CHUNK", 7)
    data: list[Any] = [{"text": 'a]b,"c' * n, "list": [1, {"x": None}]} for n in range(30)]
    data += [123456789, 1.5e10, "plain", []]
    for indent in (None, 2):
        stream = io.StringIO(json.dumps(data, indent=indent))
        assert list(iter_json_array(stream, "t")) == data


def test_a_truncated_array_is_reported() -> None:
    with pytest.raises(SourceError, match="not closed"):
        list(iter_json_array(io.StringIO('[{"a": 1}'), "t"))
    with pytest.raises(SourceError, match="element 1"):
        list(iter_json_array(io.StringIO('[{"a": 1}, {"b": '), "t"))


def test_folder_files_come_in_dependency_order(tmp_path: Path) -> None:
    for name in (
        "services.json",
        "locations.json",
        "taxonomy_terms.json",
        "organizations.json",
        "taxonomies.json",
        "notes.txt",
    ):
        (tmp_path / name).write_text("[]")
    assert [p.name for p in files_in(tmp_path)] == [
        "taxonomies.json",
        "taxonomy_terms.json",
        "organizations.json",
        "services.json",
        "locations.json",
    ]


def test_api_description_and_tabular_json_are_skipped(examples: Path) -> None:
    items = list(iter_path(examples / "base.json")) + list(iter_path(examples / "tabular.json"))
    assert all(isinstance(item.doc, SourceError) for item in items)


def test_ndjson_lines_and_pages_are_read(tmp_path: Path) -> None:
    (tmp_path / "services.ndjson").write_text('{"id": "a"}\n\nnot json\n{"id": "b"}\n')
    (tmp_path / "organizations.json").write_text(json.dumps({"contents": [{"id": "o"}]}))
    items = list(iter_path(tmp_path))
    assert [item.hint for item in items] == ["organization", "service", "service", "service"]
    assert isinstance(items[2].doc, BrokenRecordError)
    assert items[3].doc == {"id": "b"}


def test_a_missing_path_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        list(iter_path(tmp_path / "nothing"))


def test_api_pages_end_by_last_page_total_pages_or_an_empty_page() -> None:
    from hsds.sources import is_last_page

    assert is_last_page({"last_page": True, "total_pages": 9}, 1)
    assert not is_last_page({"total_pages": 3}, 2) and is_last_page({"total_pages": 3}, 3)
    assert not is_last_page({}, 50)
