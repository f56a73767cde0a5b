"""What accounts needs to know of organisations, asked of the directory's front door.

The directory's handlers use accounts' guards, so the directory is imported when a function here
runs, never when accounts is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from uuid import UUID

from core.errors import ConflictError, ReadableError
from core.i18n import N_

if TYPE_CHECKING:
    from directory.api import OrganizationListing, OrganizationName


async def organization_names(ids: Iterable[UUID]) -> dict[UUID, str]:
    from directory import api as directory

    return await directory.organization_names(ids)


async def open_organization_name(organization_id: UUID) -> str:
    """The name of an organisation that takes members; refuses unknown and retired ones."""
    from directory import api as directory

    found = await directory.organization_status(organization_id)
    if found is None:
        raise ReadableError(N_("There is no organisation with the id {id}."), id=organization_id)
    if found.is_retired:
        raise ConflictError(
            N_("The organisation {name} has been retired; it takes no new members."),
            name=found.name)
    return found.name


async def organization_choices(include_retired: bool = False) -> list[OrganizationName]:
    from directory import api as directory

    return await directory.organization_choices(include_retired)


async def find_organizations(name: str | None, offset: int,
                             limit: int) -> tuple[list[OrganizationListing], int]:
    from directory import api as directory

    return await directory.find_organizations(name, offset, limit)
