"""The route table of the analysis: the JSON API (`routes`) and the page with its downloads
(`pages`)."""

from __future__ import annotations

from typing import Any

from analysis import pages, routes

ROUTES: list[Any] = [*routes.ROUTES, *pages.ROUTES]
