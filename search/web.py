"""HTTP routes of the search domain (collected by `domains.routes`): the JSON API in `routes`,
the search page in `pages`."""

from __future__ import annotations

from typing import Any

from search import pages, routes

ROUTES: list[Any] = [*routes.ROUTES, *pages.ROUTES]
