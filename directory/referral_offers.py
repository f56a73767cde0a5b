"""What the referral exchange needs to know of an offer: its name, its provider, whether it
takes referrals now, and whether it has a free place or an open waitlist. Read in two queries
for a whole batch of referrals."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import msgspec

from directory.tables import Capacity, Service


class ReferralOffer(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    organization_id: UUID
    organization_name: str
    # Active and not retired: new referrals may be sent to it.
    takes_referrals: bool
    # Free places now; None when the offer does not count places (no maximum).
    places_free: int | None = None
    waitlist_open: bool = False

    @property
    def full(self) -> bool:
        return self.places_free is not None and self.places_free <= 0


async def takes_referrals(service_id: UUID) -> bool:
    """Whether new referrals may be sent to the offer now: one small read (sending asks only
    this, inside its transaction)."""
    row = await Service.select(Service.status, Service.retired_at).where(
        Service.id == service_id).first()
    return row is not None and row["status"] == "active" and row["retired_at"] is None


async def offers_for_referrals(service_ids: Iterable[UUID]) -> dict[UUID, ReferralOffer]:
    """The offers among `service_ids` that exist (retired ones too), by id."""
    wanted = list(dict.fromkeys(service_ids))
    if not wanted:
        return {}
    rows = await Service.select(
        Service.id, Service.name, Service.organization, Service.organization.name,
        Service.status, Service.retired_at,
    ).where(Service.id.is_in(wanted))
    capacities = {
        row["service"]: row
        for row in await Capacity.select(
            Capacity.service, Capacity.maximum, Capacity.available, Capacity.waitlist_open
        ).where(Capacity.service.is_in(wanted))
    }
    offers: dict[UUID, ReferralOffer] = {}
    for row in rows:
        capacity = capacities.get(row["id"])
        counted = capacity is not None and capacity["maximum"] > 0
        offers[row["id"]] = ReferralOffer(
            id=row["id"],
            name=row["name"],
            organization_id=row["organization"],
            organization_name=row["organization.name"] or "",
            takes_referrals=row["status"] == "active" and row["retired_at"] is None,
            places_free=capacity["available"] if counted and capacity else None,
            waitlist_open=bool(capacity and capacity["waitlist_open"]),
        )
    return offers


async def offer_for_referral(service_id: UUID) -> ReferralOffer | None:
    return (await offers_for_referrals([service_id])).get(service_id)
