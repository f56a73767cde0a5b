"""The directory's front door: what other domains may call. No other domain imports
`directory.tables`; they call these functions and get these structs.

    from directory import api as directory
    names = await directory.organization_names([org_id])
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from directory import organization_lookup, outputs, queries
from directory.demo_data import synthetic

# --- capacity: the one writer of free places ---------------------------------------------------


# --- for accounts and the demo -----------------------------------------------------------------

OrganizationName = organization_lookup.OrganizationName
OrganizationStatus = organization_lookup.OrganizationStatus
OrganizationListing = organization_lookup.OrganizationListing
ServiceFilters = queries.ServiceFilters


async def organization_names(ids: Iterable[UUID]) -> dict[UUID, str]:
    """The names of those of `ids` that exist; unknown ids are left out."""
    return await organization_lookup.organization_names(ids)


async def organization_status(organization_id: UUID) -> OrganizationStatus | None:
    """Name and retirement of one organisation (a retired one takes no new members)."""
    return await organization_lookup.organization_status(organization_id)


async def organization_choices(include_retired: bool = False) -> list[OrganizationName]:
    """Organisations ordered by name, for a form's choice of organisation."""
    return await organization_lookup.organization_choices(include_retired)


async def find_organizations(name: str | None, offset: int,
                             limit: int) -> tuple[list[OrganizationListing], int]:
    """One page of organisations whose name contains `name` (any case), and the total."""
    return await organization_lookup.find_organizations(name, offset, limit)


async def fill_synthetic_directory(offers: int) -> UUID:
    """A generated directory of `offers` offers for benchmarks; returns a top category's id."""
    return await synthetic.fill_synthetic(offers)


async def list_services(filters: ServiceFilters, offset: int,
                        limit: int) -> tuple[list[outputs.ServiceSummary], int]:
    """One page of offers as the directory's API lists them, and the total."""
    return await queries.list_services(filters, offset, limit)


async def service_detail(service_id: UUID) -> outputs.ServiceDetail | None:
    """One offer in full, as the directory's API shows it."""
    return await queries.service_detail(service_id)



# --- for clients and consent -------------------------------------------------------------------


# --- for referrals -----------------------------------------------------------------------------


# --- for search documents ----------------------------------------------------------------------


# --- for calendars -----------------------------------------------------------------------------


# --- for HSDS ----------------------------------------------------------------------------------
