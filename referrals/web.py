"""Routes of the referrals domain: every module named `routes_*` or `pages_*` adds its ROUTES."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


def _collect() -> list[Any]:
    routes: list[Any] = []
    for info in sorted(pkgutil.iter_modules([str(_HERE)]), key=lambda m: m.name):
        if info.name.startswith(("routes_", "pages_")):
            module = importlib.import_module(f"referrals.{info.name}")
            routes.extend(module.ROUTES)
    return routes


ROUTES: list[Any] = _collect()
