"""The accounts domain's route table: every route module, listed once."""

from __future__ import annotations

from typing import Any

from accounts import pages, pages_account, pages_admin, routes, routes_admin, routes_audit

ROUTES: list[Any] = [
    *pages.ROUTES,
    *routes.ROUTES,
    *routes_admin.ROUTES,
    *pages_admin.ROUTES,
    *pages_account.ROUTES,
    *routes_audit.ROUTES,
]
