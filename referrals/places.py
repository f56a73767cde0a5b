"""Taking and giving back an offer's places: single conditional UPDATEs, atomic on both engines.

Called only inside a transaction opened by `referrals.transitions` or `referrals.waitlist`.
"""

from __future__ import annotations

from enum import Enum
from uuid import UUID

from directory.tables import Capacity


class Take(Enum):
    TAKEN = "taken"
    FULL = "full"
    # The offer keeps no count of places: acceptance does not consume one.
    UNTRACKED = "untracked"


async def take_place(service_id: UUID) -> Take:
    """Take one place if one is free; never lets `available` go below zero.

    The condition sits in the UPDATE itself, so concurrent acceptances serialise on the row
    (PostgreSQL re-checks the condition after the lock; SQLite runs writers one at a time).
    """
    rows = (
        await Capacity.update({Capacity.available: Capacity.available - 1})
        .where((Capacity.service == service_id) & (Capacity.available > 0))
        .returning(Capacity.available)
    )
    if rows:
        return Take.TAKEN
    exists = await Capacity.exists().where(Capacity.service == service_id)
    return Take.FULL if exists else Take.UNTRACKED


async def return_place(service_id: UUID) -> bool:
    """Put one place back into the free count; False when the offer keeps no count."""
    rows = (
        await Capacity.update({Capacity.available: Capacity.available + 1})
        .where(Capacity.service == service_id)
        .returning(Capacity.available)
    )
    return bool(rows)


async def is_tracked(service_id: UUID) -> bool:
    return bool(await Capacity.exists().where(Capacity.service == service_id))
