"""What the referral exchange needs to know of an offer: its name, its provider, and whether it
takes referrals now. Read in one query for a whole batch of referrals."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import msgspec

from directory.tables import Service


class ReferralOffer(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    organization_id: UUID
    organization_name: str
    # Active and not retired: new referrals may be sent to it.
    takes_referrals: bool


async def offers_for_referrals(service_ids: Iterable[UUID]) -> dict[UUID, ReferralOffer]:
    """The offers among `service_ids` that exist (retired ones too), by id."""
    wanted = list(dict.fromkeys(service_ids))
    if not wanted:
        return {}
    rows = await Service.select(
        Service.id, Service.name, Service.organization, Service.organization.name,
        Service.status, Service.retired_at,
    ).where(Service.id.is_in(wanted))
    return {
        row["id"]: ReferralOffer(
            id=row["id"],
            name=row["name"],
            organization_id=row["organization"],
            organization_name=row["organization.name"] or "",
            takes_referrals=row["status"] == "active" and row["retired_at"] is None,
        )
        for row in rows
    }


async def offer_for_referral(service_id: UUID) -> ReferralOffer | None:
    return (await offers_for_referrals([service_id])).get(service_id)
