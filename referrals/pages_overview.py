"""The network admin's overview of the exchange: referrals by state, in total and per provider
organisation. Counts only: no client, no referral and no person can be told apart in it."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template
from piccolo.query.methods.select import Count

from accounts.guards import network_admin
from core.i18n import gettext_for
from core.templates import render
from referrals.api import count_by_state
from referrals.page_helpers import labels
from referrals.states import State
from referrals.tables import Referral


async def _by_provider() -> list[tuple[str, dict[str, int], int]]:
    rows = await Referral.select(
        Referral.recipient_organization.name, Referral.state, Count(alias="n")
    ).group_by(Referral.recipient_organization.name, Referral.state)
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        name = str(row["recipient_organization.name"] or "–")
        table.setdefault(name, {})[row["state"]] = int(row["n"])
    # Drafts were never sent to the provider: they do not belong to its figures.
    return sorted(
        ((name, counts, sum(n for s, n in counts.items() if s != State.DRAFT.value))
         for name, counts in table.items()),
        key=lambda item: (-item[2], item[0]),
    )


@get("/admin/referrals", operation_id="adminReferralOverviewPage", guards=[network_admin],
     include_in_schema=False)
async def referral_overview(request: Request) -> Template:
    totals = await count_by_state()
    return render(request, "referrals/admin_overview.html", {
        "totals": totals,
        "states": [s.value for s in State],
        "columns": [s.value for s in State if s is not State.DRAFT],
        "providers": [p for p in await _by_provider() if p[2] > 0],
        "labels": labels(gettext_for(request)),
    })


ROUTES = [referral_overview]
