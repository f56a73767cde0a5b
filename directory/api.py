"""The directory's front door: what other domains may call. No other domain imports
`directory.tables`; they call these functions and get these structs.

    from directory import api as directory
    names = await directory.organization_names([org_id])
"""

from __future__ import annotations

# --- capacity: the one writer of free places ---------------------------------------------------
# Free and held places change only through these: a provider's edit or one-click step, and a
# referral taking or giving back a place. Each refuses what breaks the maximum and tells search.
# (The imports of the "for referrals" section sit here too, so that they stay at the top.)
from directory.capacity import Step as Step
from directory.capacity import Take as Take
from directory.capacity import apply_step as apply_step
from directory.capacity import return_place as return_place
from directory.capacity import take_place as take_place
from directory.capacity import update_capacity as update_capacity
from directory.referral_offers import ReferralOffer as ReferralOffer
from directory.referral_offers import offer_for_referral as offer_for_referral
from directory.referral_offers import offers_for_referrals as offers_for_referrals


# --- for accounts and the demo -----------------------------------------------------------------


# --- for clients and consent -------------------------------------------------------------------


# --- for referrals -----------------------------------------------------------------------------
# `offer_for_referral` / `offers_for_referrals` (imported above): an offer's name, provider and
# whether it takes referrals, one query for a whole batch. Places: `take_place`, `return_place`.


# --- for search documents ----------------------------------------------------------------------


# --- for calendars -----------------------------------------------------------------------------


# --- for HSDS ----------------------------------------------------------------------------------
