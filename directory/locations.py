"""Writing locations: the places where an organisation's offers take place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from litestar.exceptions import ClientException, NotFoundException, ValidationException

from core.db import atomic
from directory.schemas import LocationCreate, LocationUpdate, PhoneIn, check_text, given
from directory.tables import Location, Organization, Phone
from outbox.publish import publish

NESTED = frozenset({"phones", "organization_id"})


async def _replace_phones(location_id: UUID, phones: list[PhoneIn]) -> None:
    await Phone.delete().where(Phone.location == location_id)
    if phones:
        await Phone.insert(*[
            Phone(location=location_id, number=p.number, extension=p.extension, type=p.type,
                  description=p.description) for p in phones
        ])


def _check_coordinates(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationException("Give both latitude and longitude, or neither.")


async def create_location(data: LocationCreate) -> UUID:
    check_text(data)
    _check_coordinates(data.latitude, data.longitude)
    values = {field: getattr(data, field) for field in data.__struct_fields__}
    async with atomic():
        organization = await Organization.select(Organization.retired_at).where(
            Organization.id == data.organization_id
        ).first()
        if organization is None:
            raise ValidationException(
                f"organization_id: there is no organisation with id {data.organization_id}."
            )
        if organization["retired_at"] is not None:
            raise ValidationException("organization_id: this organisation is retired.")
        location = Location(organization=data.organization_id,
                            **{k: v for k, v in values.items() if k not in NESTED})
        await location.save()
        await _replace_phones(location.id, data.phones)
        await publish("directory.location_changed", {"location_id": str(location.id)})
    return location.id


async def update_location(location_id: UUID, data: LocationUpdate) -> None:
    check_text(data)
    values = given(data)
    async with atomic():
        row = await Location.select(
            Location.retired_at, Location.latitude, Location.longitude
        ).where(Location.id == location_id).first()
        if row is None:
            raise NotFoundException("No location with this id.")
        if row["retired_at"] is not None:
            raise ClientException("This location has been retired and can no longer be "
                                  "changed.", status_code=409)
        _check_coordinates(values.get("latitude", row["latitude"]),
                           values.get("longitude", row["longitude"]))
        plain: dict[Any, Any] = {
            getattr(Location, k): v for k, v in values.items() if k not in NESTED
        }
        plain[Location.last_modified] = datetime.now(UTC)
        await Location.update(plain).where(Location.id == location_id)
        if "phones" in values:
            await _replace_phones(location_id, values["phones"])
        await publish("directory.location_changed", {"location_id": str(location_id)})


async def retire_location(location_id: UUID) -> None:
    """Offers stay; they are simply no longer shown at this place."""
    async with atomic():
        row = await Location.select(Location.retired_at).where(Location.id == location_id).first()
        if row is None:
            raise NotFoundException("No location with this id.")
        if row["retired_at"] is not None:
            return
        now = datetime.now(UTC)
        await Location.update({Location.retired_at: now, Location.last_modified: now}).where(
            Location.id == location_id
        )
        await publish("directory.location_changed", {"location_id": str(location_id)})
