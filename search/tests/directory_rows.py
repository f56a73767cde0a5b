"""Directory rows for the search tests, written straight into the tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from core.db import atomic
from directory.tables import (
    Capacity,
    CostOption,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTerm,
    ServiceTranslation,
    Taxonomy,
    TaxonomyTerm,
)
from outbox.publish import publish


async def taxonomy() -> dict[str, UUID]:
    """Two categories (one below the other) and a target group; ids by code."""
    categories = Taxonomy(name="Lotse-Kategorien")
    groups = Taxonomy(name="Zielgruppen")
    await Taxonomy.insert(categories, groups)
    top = TaxonomyTerm(
        taxonomy=categories.id, code="beratung", name="Beratung", name_en="Counselling"
    )
    await top.save()
    sub = TaxonomyTerm(
        taxonomy=categories.id,
        parent=top.id,
        code="beratung.migration",
        name="Migrationsberatung",
        name_en="Migration counselling",
    )
    women = TaxonomyTerm(
        taxonomy=groups.id, code="zielgruppe.frauen", name="Frauen", name_en="Women"
    )
    await TaxonomyTerm.insert(sub, women)
    return {"beratung": top.id, "beratung.migration": sub.id, "zielgruppe.frauen": women.id}


async def location(
    organization: UUID, district: str, lat: float, lon: float, **fields: Any
) -> UUID:
    place = Location(
        organization=organization,
        name=f"Haus {district}",
        district=district,
        address_1="Hauptstraße 1",
        postal_code="45468",
        latitude=lat,
        longitude=lon,
        **fields,
    )
    await place.save()
    return place.id


async def service(
    organization: UUID,
    name: str,
    *,
    locations: Sequence[UUID] = (),
    terms: Sequence[UUID] = (),
    languages: Sequence[str] = (),
    available: int | None = None,
    waitlist_open: bool = False,
    **fields: Any,
) -> UUID:
    offer = Service(organization=organization, name=name, **fields)
    await offer.save()
    for place in locations:
        await ServiceAtLocation(service=offer.id, location=place).save()
    for term in terms:
        await ServiceTerm(service=offer.id, term=term).save()
    for code in languages:
        await ServiceLanguage(service=offer.id, code=code).save()
    if available is not None:
        await Capacity(
            service=offer.id,
            maximum=10,
            available=available,
            waitlist_open=waitlist_open,
            updated=datetime(2026, 1, 10, 9, 0, tzinfo=UTC),
        ).save()
    return offer.id


async def organization(name: str = "Caritasverband") -> UUID:
    org = Organization(name=name)
    await org.save()
    return org.id


async def translation(service_id: UUID, language: str, name: str) -> None:
    await ServiceTranslation(service=service_id, language=language, name=name).save()


async def cost(service_id: UUID, amount: str, option: str) -> None:
    await CostOption(service=service_id, amount=Decimal(amount), option=option).save()


async def changed(topic: str, **payload: UUID) -> None:
    """Announce a change the way the directory does: an outbox event in a transaction."""
    async with atomic():
        await publish(topic, {key: str(value) for key, value in payload.items()})


async def set_places(service_id: UUID, available: int) -> None:
    async with atomic():
        await Capacity.update({Capacity.available: available}).where(Capacity.service == service_id)
        await publish("directory.service_changed", {"service_id": str(service_id)})
