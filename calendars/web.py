"""HTTP routes of the calendars domain (collected by `domains.routes`): JSON API in `routes*`,
HTML pages in `pages*`, calendar feeds for calendar apps in `routes_feeds`."""

from __future__ import annotations

from typing import Any

from calendars import (
    pages,
    pages_editor,
    routes,
    routes_feeds,
    routes_imports,
    routes_openings,
)

ROUTES: list[Any] = [
    *routes_feeds.ROUTES,
    *pages.ROUTES,
    *pages_editor.ROUTES,
    *routes.ROUTES,
    *routes_imports.ROUTES,
    *routes_openings.ROUTES,
]
