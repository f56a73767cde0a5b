"""The network admin's JSON API for import sources: which organisations each may maintain.

The same as ``lotse hsds sources``; a source's name is the one imports give (``--source``, else
the path or URL), so it travels in the body rather than in the path.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, put
from litestar.exceptions import ValidationException
from litestar.params import JSONBody

from accounts.api import network_admin
from hsds import source_trust

SourceName = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class SourceOut(msgspec.Struct, frozen=True):
    name: str
    organizations: list[UUID]
    created_by_import: list[UUID]
    records: int


class SourceOrganizations(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: SourceName
    organizations: Annotated[list[UUID], msgspec.Meta(max_length=5000)]


async def _listed() -> list[SourceOut]:
    return [
        SourceOut(
            name=info.name,
            organizations=sorted([*info.allowed, *info.created]),
            created_by_import=info.created,
            records=info.records,
        )
        for info in await source_trust.list_sources()
    ]


class SourceController(Controller):
    path = "/api/hsds/sources"
    tags = ["hsds"]
    guards = [network_admin]

    @get("/", operation_id="listHsdsImportSources")
    async def list_sources(self) -> list[SourceOut]:
        """List HSDS import sources.

        Every HSDS source that has imported or may import, with the organisations it may maintain
        (network admins only).
        """
        return await _listed()

    @put("/", operation_id="setHsdsImportSourceOrganizations")
    async def set_organizations(self, data: JSONBody[SourceOrganizations]) -> SourceOut:
        """Set what an HSDS source may maintain.

        Replaces the organisations the named import source may create and change records of
        (network admins only); 400 names an unknown organisation.
        """
        try:
            await source_trust.set_organizations(data.name, data.organizations)
        except source_trust.SourceTrustError as error:
            raise ValidationException(str(error)) from None
        return next(source for source in await _listed() if source.name == data.name)
