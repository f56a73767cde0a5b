"""Foreign keys to other domains' tables find their table once per process."""

from __future__ import annotations

from typing import Any

import pytest
from piccolo.conf.apps import Finder

from core.references import table_ref


def test_a_named_table_is_looked_up_in_the_registry_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from directory.tables import Organization

    asked: list[str] = []
    lookup = Finder.get_table_with_name

    def counted(self: Finder, app_name: str, table_class_name: str) -> Any:
        asked.append(table_class_name)
        return lookup(self, app_name=app_name, table_class_name=table_class_name)

    monkeypatch.setattr(Finder, "get_table_with_name", counted)
    reference = table_ref("Organization", "directory")
    assert reference.resolve() is Organization
    assert reference.resolve() is Organization
    assert asked == ["Organization"]


def test_a_named_table_stays_equal_to_piccolos_own_reference() -> None:
    from piccolo.columns.reference import LazyTableReference

    reference = table_ref("Organization", "directory")
    reference.resolve()
    # Migrations compare and print references by name; the remembered table is not part of it.
    assert str(reference) == str(LazyTableReference("Organization", app_name="directory"))
    assert reference == table_ref("Organization", "directory")
