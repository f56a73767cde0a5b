"""Cutting long lists into parts: IN lists stay below SQLite's bound on query parameters, bulk
events and index updates stay a bounded size."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# Well below SQLite's 32,766 parameters per statement, and a round trip per 500 rows.
IN_LIST = 500


def chunks(items: Sequence[T], size: int = IN_LIST) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
