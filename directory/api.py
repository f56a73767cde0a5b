"""The directory's front door: what other domains may call. No other domain imports
`directory.tables`; they call these functions and get these structs.

    from directory import api as directory
    names = await directory.organization_names([org_id])
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import msgspec

from directory.outputs import OrganizationRef
from directory.tables import Organization, Service

# --- capacity: the one writer of free places ---------------------------------------------------


# --- for accounts and the demo -----------------------------------------------------------------


# --- for clients and consent -------------------------------------------------------------------


async def organization_refs(ids: Iterable[UUID]) -> list[OrganizationRef]:
    """The organisations among `ids` that exist (retired ones too), by name."""
    wanted = list(set(ids))
    if not wanted:
        return []
    rows = (
        await Organization.select(Organization.id, Organization.name)
        .where(Organization.id.is_in(wanted))
        .order_by(Organization.name)
    )
    return [OrganizationRef(id=row["id"], name=row["name"]) for row in rows]


async def organizations_except(excluded: UUID) -> list[OrganizationRef]:
    """Every organisation but one, by name: whom a client's consent may name as recipient."""
    rows = (
        await Organization.select(Organization.id, Organization.name)
        .where(Organization.id != excluded)
        .order_by(Organization.name)
    )
    return [OrganizationRef(id=row["id"], name=row["name"]) for row in rows]


class ServiceRef(msgspec.Struct, frozen=True):
    id: UUID
    name: str


async def service_refs(ids: Iterable[UUID]) -> list[ServiceRef]:
    """The offers among `ids` that exist (retired ones too): id and name, for a client export."""
    wanted = list(set(ids))
    if not wanted:
        return []
    rows = await Service.select(Service.id, Service.name).where(Service.id.is_in(wanted))
    return [ServiceRef(id=row["id"], name=row["name"]) for row in rows]


# --- for referrals -----------------------------------------------------------------------------


# --- for search documents ----------------------------------------------------------------------


# --- for calendars -----------------------------------------------------------------------------


# --- for HSDS ----------------------------------------------------------------------------------
