"""What every command of the `lotse` command line shares: one console, one way to run async code."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from rich.console import Console

T = TypeVar("T")

console = Console()


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)
