"""Writing organisations: the coordination creates and retires them, staff keep them current."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException

from accounts.identity import CurrentUser

# Not through accounts.api, which reaches the directory again (an import circle).
from accounts.last_admin import holds_last_admins
from core.db import atomic
from directory.schemas import (
    ORGANIZATION_STAFF_FIELDS,
    ContactIn,
    OrganizationCreate,
    OrganizationUpdate,
    PhoneIn,
    check_text,
    given,
)
from directory.tables import Contact, Location, Organization, Phone, Service
from outbox.publish import publish

NESTED = frozenset({"phones", "contacts"})


async def _replace_phones(organization_id: UUID, phones: list[PhoneIn]) -> None:
    await Phone.delete().where(Phone.organization == organization_id)
    if phones:
        await Phone.insert(*[
            Phone(organization=organization_id, number=p.number, extension=p.extension,
                  type=p.type, description=p.description) for p in phones
        ])


async def _replace_contacts(organization_id: UUID, contacts: list[ContactIn]) -> None:
    await Contact.delete().where(Contact.organization == organization_id)
    if contacts:
        await Contact.insert(*[
            Contact(organization=organization_id, name=c.name, title=c.title,
                    department=c.department, email=c.email, phone=c.phone) for c in contacts
        ])


async def create_organization(data: OrganizationCreate) -> UUID:
    check_text(data)
    values = {field: getattr(data, field) for field in data.__struct_fields__}
    async with atomic():
        organization = Organization(**{k: v for k, v in values.items() if k not in NESTED})
        await organization.save()
        await _replace_phones(organization.id, data.phones)
        await _replace_contacts(organization.id, data.contacts)
        await publish("directory.organization_changed",
                      {"organization_id": str(organization.id)})
    return organization.id


async def update_organization(organization_id: UUID, data: OrganizationUpdate,
                              user: CurrentUser) -> None:
    """The coordination may change everything; provider staff only description and contact."""
    check_text(data)
    values = given(data)
    if not user.is_network_admin:
        refused = sorted(set(values) - ORGANIZATION_STAFF_FIELDS)
        if refused:
            raise PermissionDeniedException(
                f"Only the network coordination can change {', '.join(refused)}. "
                f"You can change {', '.join(sorted(ORGANIZATION_STAFF_FIELDS))}."
            )
    async with atomic():
        row = await Organization.select(Organization.retired_at).where(
            Organization.id == organization_id
        ).first()
        if row is None:
            raise NotFoundException("No organisation with this id.")
        if row["retired_at"] is not None:
            raise ClientException("This organisation has been retired and can no longer be "
                                  "changed.", status_code=409)
        plain: dict[Any, Any] = {
            getattr(Organization, k): v for k, v in values.items() if k not in NESTED
        }
        plain[Organization.last_modified] = datetime.now(UTC)
        await Organization.update(plain).where(Organization.id == organization_id)
        if "phones" in values:
            await _replace_phones(organization_id, values["phones"])
        if "contacts" in values:
            await _replace_contacts(organization_id, values["contacts"])
        await publish("directory.organization_changed",
                      {"organization_id": str(organization_id)})


async def retire_organization(organization_id: UUID) -> None:
    """Retires the organisation with all its offers and locations (nothing is deleted); refused
    while it would take the last active network administrators with it."""
    async with atomic():
        row = await Organization.select(Organization.retired_at).where(
            Organization.id == organization_id
        ).first()
        if row is None:
            raise NotFoundException("No organisation with this id.")
        if row["retired_at"] is not None:
            return
        if await holds_last_admins(organization_id):
            raise ClientException(
                "Every active network administrator is a member of this organisation: retired, "
                "nobody could manage the network any more. Give a person of another "
                "organisation the role network_admin first.", status_code=409)
        now = datetime.now(UTC)
        services = await Service.select(Service.id).where(
            Service.organization == organization_id, Service.retired_at.is_null()
        )
        locations = await Location.select(Location.id).where(
            Location.organization == organization_id, Location.retired_at.is_null()
        )
        await Organization.update({Organization.retired_at: now,
                                   Organization.last_modified: now}).where(
            Organization.id == organization_id
        )
        await Service.update({Service.retired_at: now, Service.status: "inactive",
                              Service.last_modified: now}).where(
            Service.organization == organization_id, Service.retired_at.is_null()
        )
        await Location.update({Location.retired_at: now, Location.last_modified: now}).where(
            Location.organization == organization_id, Location.retired_at.is_null()
        )
        await publish("directory.organization_changed",
                      {"organization_id": str(organization_id)})
        for service in services:
            await publish("directory.service_retired", {"service_id": str(service["id"])})
        for location in locations:
            await publish("directory.location_changed", {"location_id": str(location["id"])})
