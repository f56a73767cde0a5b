"""The referral exchange's front door for other domains: figures about the exchange.

    from referrals import api as referrals
    counts = await referrals.count_by_state()
"""

from __future__ import annotations

from piccolo.query.functions.aggregate import Count

from referrals.states import State
from referrals.tables import Referral


async def count_by_state() -> dict[str, int]:
    """How many referrals are in each state (every state named, 0 when none)."""
    rows = await Referral.select(Referral.state, Count(alias="n")).group_by(Referral.state)
    counts = {state.value: 0 for state in State}
    counts.update({row["state"]: int(row["n"]) for row in rows})
    return counts
