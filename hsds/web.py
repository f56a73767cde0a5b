"""The HSDS domain's route table: every route it serves, from the modules that hold them."""

from __future__ import annotations

from typing import Any

from hsds import routes, source_routes

ROUTES: list[Any] = [routes.HsdsController, routes.profile, source_routes.SourceController]
