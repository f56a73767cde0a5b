"""The directory's front door: what other domains may call. No other domain imports
`directory.tables`; they call these functions and get these structs.

    from directory import api as directory
    names = await directory.organization_names([org_id])
"""

from __future__ import annotations

# --- capacity: the one writer of free places ---------------------------------------------------


# --- for accounts and the demo -----------------------------------------------------------------


# --- for clients and consent -------------------------------------------------------------------


# --- for referrals -----------------------------------------------------------------------------


# --- for search documents ----------------------------------------------------------------------


# --- for calendars -----------------------------------------------------------------------------


# --- for HSDS ----------------------------------------------------------------------------------
