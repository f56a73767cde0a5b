"""Organisations as other domains see them: names, whether one takes members, a named list.

Accounts needs these to check and show memberships without reading the directory's tables;
`directory.api` is the door they come through.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

import msgspec
from piccolo.columns.combination import WhereRaw

from core.db import contains_pattern
from directory.tables import Organization


class OrganizationName(msgspec.Struct, frozen=True):
    id: UUID
    name: str


class OrganizationStatus(msgspec.Struct, frozen=True):
    """Enough to decide whether an organisation takes new members (retired ones do not)."""

    id: UUID
    name: str
    retired_at: datetime | None

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class OrganizationListing(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    kind: str
    retired_at: datetime | None


async def organization_names(ids: Iterable[UUID]) -> dict[UUID, str]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await Organization.select(Organization.id, Organization.name).where(
        Organization.id.is_in(wanted)
    )
    return {row["id"]: row["name"] for row in rows}


async def organization_status(organization_id: UUID) -> OrganizationStatus | None:
    row = await Organization.select(
        Organization.id, Organization.name, Organization.retired_at
    ).where(Organization.id == organization_id).first()
    return OrganizationStatus(**row) if row else None


async def organization_choices(include_retired: bool = False) -> list[OrganizationName]:
    """Every organisation by name, for a form's choice of organisation."""
    query = Organization.select(Organization.id, Organization.name)
    if not include_retired:
        query = query.where(Organization.retired_at.is_null())
    return [OrganizationName(**row) for row in await query.order_by(Organization.name)]


async def find_organizations(name: str | None, offset: int,
                             limit: int) -> tuple[list[OrganizationListing], int]:
    """Organisations by name (a part of it, any case), retired ones included, and the total."""
    query = Organization.select(Organization.id, Organization.name, Organization.kind,
                                Organization.retired_at)
    count = Organization.count()
    if name:
        condition = WhereRaw("lower(organization.name) LIKE {} ESCAPE '\\'",
                             contains_pattern(name.strip().lower()))
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.order_by(Organization.name).offset(offset).limit(limit)
    return [OrganizationListing(**row) for row in rows], await count
