"""A foreign key's target named by app and class, looked up once per process.

Piccolo's `LazyTableReference` asks the app registry again on every use: each join or foreign
key read walked every Piccolo app (imports, a topological sort), about a millisecond of CPU per
request. A table class never changes in a running process, so the answer is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from piccolo.columns.reference import LazyTableReference

if TYPE_CHECKING:
    from piccolo.table import Table


class TableReference(LazyTableReference):
    """`LazyTableReference` that remembers the table it resolved to."""

    def resolve(self) -> type[Table]:
        found: type[Table] | None = self.__dict__.get("_resolved")
        if found is None:
            found = super().resolve()
            # Kept outside the dataclass fields: equality and migrations still see the name.
            self.__dict__["_resolved"] = found
        return found


def table_ref(table_class_name: str, app_name: str) -> TableReference:
    """Another domain's table, named instead of imported."""
    return TableReference(table_class_name=table_class_name, app_name=app_name)
