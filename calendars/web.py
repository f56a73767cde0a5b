"""HTTP routes of the calendars domain (collected by app.py)."""

from __future__ import annotations

from typing import Any

from calendars import (
    web_api,
    web_api_imports,
    web_api_openings,
    web_editor,
    web_feeds,
    web_pages,
)

ROUTES: list[Any] = [
    *web_feeds.ROUTES,
    *web_pages.ROUTES,
    *web_editor.ROUTES,
    *web_api.ROUTES,
    *web_api_imports.ROUTES,
    *web_api_openings.ROUTES,
]
