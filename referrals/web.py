"""Routes of the referrals domain, collected from its route modules."""

from __future__ import annotations

from typing import Any

from referrals.routes_clients import ROUTES as CLIENT_API

ROUTES: list[Any] = [*CLIENT_API]
