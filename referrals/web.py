"""The route table of the referrals domain: the JSON API (`routes_*`, FHIR under `/fhir`) and
the pages (`pages_*`)."""

from __future__ import annotations

from typing import Any

from referrals import (
    pages_clients,
    pages_consents,
    pages_inbox,
    pages_overview,
    pages_referrals,
    pages_slip,
    pages_webhooks,
    routes_clients,
    routes_fhir,
    routes_inbox,
    routes_referrals,
)

ROUTES: list[Any] = [
    *routes_referrals.ROUTES,
    *routes_inbox.ROUTES,
    *routes_clients.ROUTES,
    *routes_fhir.ROUTES,
    *pages_referrals.ROUTES,
    *pages_inbox.ROUTES,
    *pages_clients.ROUTES,
    *pages_consents.ROUTES,
    *pages_slip.ROUTES,
    *pages_webhooks.ROUTES,
    *pages_overview.ROUTES,
]
