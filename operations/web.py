"""The routes of operations (health and metrics)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
