"""Writing offers: create, update (partial, nested lists replaced), retire, confirm.

Every write checks all references first and runs in one transaction together with the outbox
event, so a refused write leaves nothing behind and search hears of every change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from litestar.exceptions import ClientException, NotFoundException, ValidationException

from core.db import atomic
from core.time import BERLIN
from directory import capacity, terms
from directory import languages as language_list
from directory.schemas import (
    CostOptionIn,
    ServiceCreate,
    ServiceUpdate,
    TranslationIn,
    check_text,
    given,
)
from directory.tables import (
    Capacity,
    Contact,
    CostOption,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTerm,
    ServiceTranslation,
)
from outbox.publish import publish

NESTED = frozenset({
    "languages", "category_ids", "target_group_ids", "location_ids", "phones", "contacts",
    "cost_options", "required_documents", "translations", "capacity", "organization_id",
})


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def check_languages(codes: list[str]) -> list[str]:
    for code in codes:
        if not language_list.is_known(code):
            raise ValidationException(
                f"Unknown language code {code!r}. Use an ISO 639 code such as 'de', 'ar' or 'uk'."
            )
    return _unique(codes)


def _check_translations(items: list[TranslationIn]) -> None:
    check_languages([t.language for t in items])
    seen: set[str] = set()
    for item in items:
        if item.language in seen:
            raise ValidationException(
                f"There are two translations into {item.language!r}; send one per language."
            )
        seen.add(item.language)


def _check_costs(items: list[CostOptionIn]) -> None:
    for item in items:
        if item.valid_from and item.valid_to and item.valid_from > item.valid_to:
            raise ValidationException(
                "A cost option's valid_from must not be after its valid_to."
            )


def _check_ages(minimum: int | None, maximum: int | None) -> None:
    if minimum is not None and maximum is not None and minimum > maximum:
        raise ValidationException(
            f"minimum_age ({minimum}) is higher than maximum_age ({maximum})."
        )


async def check_terms(ids: list[UUID], want_target_groups: bool) -> list[UUID]:
    ids = _unique(ids)
    known = await terms.load(ids)
    field = "target_group_ids" if want_target_groups else "category_ids"
    for term_id in ids:
        row = known.get(term_id)
        if row is None:
            raise ValidationException(f"{field}: there is no taxonomy term with id {term_id}.")
        if terms.is_target_group(row) != want_target_groups:
            other = "a category" if want_target_groups else "a target group"
            raise ValidationException(f"{field}: the term {row['code']!r} is {other}.")
    return ids


async def check_locations(ids: list[UUID], organization_id: UUID) -> list[UUID]:
    ids = _unique(ids)
    if not ids:
        return ids
    rows = {
        row["id"]: row
        for row in await Location.select(
            Location.id, Location.organization, Location.retired_at
        ).where(Location.id.is_in(ids))
    }
    for location_id in ids:
        row = rows.get(location_id)
        if row is None:
            raise ValidationException(f"location_ids: there is no location with id {location_id}.")
        if row["organization"] != organization_id:
            raise ValidationException(
                f"location_ids: the location {location_id} belongs to another organisation; "
                "an offer can only take place at its own organisation's locations."
            )
        if row["retired_at"] is not None:
            raise ValidationException(f"location_ids: the location {location_id} is retired.")
    return ids


async def _replace_terms(service_id: UUID, ids: list[UUID], target_groups: bool) -> None:
    links = await ServiceTerm.select(ServiceTerm.id, ServiceTerm.term).where(
        ServiceTerm.service == service_id
    )
    known = await terms.load(link["term"] for link in links)
    stale = [
        link["id"] for link in links
        if link["term"] not in known or terms.is_target_group(known[link["term"]]) == target_groups
    ]
    if stale:
        await ServiceTerm.delete().where(ServiceTerm.id.is_in(stale))
    if ids:
        await ServiceTerm.insert(*[ServiceTerm(service=service_id, term=t) for t in ids])


async def _replace_locations(service_id: UUID, ids: list[UUID]) -> None:
    """Keeps the links that stay (schedules hang on them); removes and adds only the difference."""
    current = {
        row["location"]: row["id"]
        for row in await ServiceAtLocation.select(
            ServiceAtLocation.id, ServiceAtLocation.location
        ).where(ServiceAtLocation.service == service_id)
    }
    gone = [link for location, link in current.items() if location not in ids]
    if gone:
        await ServiceAtLocation.delete().where(ServiceAtLocation.id.is_in(gone))
    new = [ServiceAtLocation(service=service_id, location=loc) for loc in ids if loc not in current]
    if new:
        await ServiceAtLocation.insert(*new)


async def _replace_children(service_id: UUID, values: dict[str, Any]) -> None:
    if "languages" in values:
        await ServiceLanguage.delete().where(ServiceLanguage.service == service_id)
        if values["languages"]:
            await ServiceLanguage.insert(
                *[ServiceLanguage(service=service_id, code=c) for c in values["languages"]]
            )
    if "category_ids" in values:
        await _replace_terms(service_id, values["category_ids"], target_groups=False)
    if "target_group_ids" in values:
        await _replace_terms(service_id, values["target_group_ids"], target_groups=True)
    if "location_ids" in values:
        await _replace_locations(service_id, values["location_ids"])
    if "phones" in values:
        await Phone.delete().where(Phone.service == service_id)
        if values["phones"]:
            await Phone.insert(*[
                Phone(service=service_id, number=p.number, extension=p.extension, type=p.type,
                      description=p.description) for p in values["phones"]
            ])
    if "contacts" in values:
        await Contact.delete().where(Contact.service == service_id)
        if values["contacts"]:
            await Contact.insert(*[
                Contact(service=service_id, name=c.name, title=c.title, department=c.department,
                        email=c.email, phone=c.phone) for c in values["contacts"]
            ])
    if "cost_options" in values:
        await CostOption.delete().where(CostOption.service == service_id)
        if values["cost_options"]:
            await CostOption.insert(*[
                CostOption(
                    service=service_id, option=c.option,
                    amount=None if c.amount is None else Decimal(str(round(c.amount, 2))),
                    currency=c.currency, amount_description=c.amount_description,
                    valid_from=c.valid_from, valid_to=c.valid_to,
                ) for c in values["cost_options"]
            ])
    if "required_documents" in values:
        await RequiredDocument.delete().where(RequiredDocument.service == service_id)
        if values["required_documents"]:
            await RequiredDocument.insert(*[
                RequiredDocument(service=service_id, document=d.document, uri=d.uri)
                for d in values["required_documents"]
            ])
    if "translations" in values:
        await ServiceTranslation.delete().where(ServiceTranslation.service == service_id)
        if values["translations"]:
            await ServiceTranslation.insert(*[
                ServiceTranslation(service=service_id, language=t.language, name=t.name,
                                   description=t.description) for t in values["translations"]
            ])


async def _checked(values: dict[str, Any], organization_id: UUID) -> dict[str, Any]:
    """Validates the nested parts that need the database; returns them normalised."""
    if "languages" in values:
        values["languages"] = check_languages(values["languages"])
    if "translations" in values:
        _check_translations(values["translations"])
    if "cost_options" in values:
        _check_costs(values["cost_options"])
    if "category_ids" in values:
        values["category_ids"] = await check_terms(values["category_ids"], False)
    if "target_group_ids" in values:
        values["target_group_ids"] = await check_terms(values["target_group_ids"], True)
    if "location_ids" in values:
        values["location_ids"] = await check_locations(values["location_ids"], organization_id)
    return values


async def create_service(data: ServiceCreate, by_id: UUID | None, by_name: str) -> UUID:
    check_text(data)
    _check_ages(data.minimum_age, data.maximum_age)
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
        values = await _checked(values, data.organization_id)
        service = Service(organization=data.organization_id,
                          **{k: v for k, v in values.items() if k not in NESTED})
        await service.save()
        await _replace_children(service.id, values)
        if data.capacity is not None:
            await capacity.record_first_figures(service.id, data.capacity, by_id, by_name)
        await publish("directory.service_changed", {"service_id": str(service.id)})
    return service.id


async def _editable(service_id: UUID) -> dict[str, Any]:
    row = await Service.select(
        Service.organization, Service.retired_at, Service.minimum_age, Service.maximum_age
    ).where(Service.id == service_id).first()
    if row is None:
        raise NotFoundException("No offer with this id.")
    if row["retired_at"] is not None:
        raise ClientException("This offer has been retired and can no longer be changed.",
                              status_code=409)
    return row


async def update_service(service_id: UUID, data: ServiceUpdate) -> None:
    check_text(data)
    values = given(data)
    async with atomic():
        row = await _editable(service_id)
        _check_ages(values.get("minimum_age", row["minimum_age"]),
                    values.get("maximum_age", row["maximum_age"]))
        values = await _checked(values, row["organization"])
        plain = {getattr(Service, k): v for k, v in values.items() if k not in NESTED}
        plain[Service.last_modified] = datetime.now(UTC)
        await Service.update(plain).where(Service.id == service_id)
        await _replace_children(service_id, values)
        await publish("directory.service_changed", {"service_id": str(service_id)})


async def retire_service(service_id: UUID) -> None:
    """Takes the offer out of lists and search; the row stays for referrals that point at it."""
    async with atomic():
        row = await Service.select(Service.retired_at).where(Service.id == service_id).first()
        if row is None:
            raise NotFoundException("No offer with this id.")
        if row["retired_at"] is not None:
            return
        now = datetime.now(UTC)
        await Service.update({Service.retired_at: now, Service.status: "inactive",
                              Service.last_modified: now}).where(Service.id == service_id)
        await publish("directory.service_retired", {"service_id": str(service_id)})


async def confirm_service(service_id: UUID, by_id: UUID, by_name: str, by_email: str) -> None:
    """"Still correct": the listing and its capacity figures are confirmed as of today."""
    async with atomic():
        await _editable(service_id)
        now = datetime.now(UTC)
        await Service.update({
            Service.assured_date: now.astimezone(BERLIN).date(),
            Service.assurer_email: by_email[:255],
            Service.last_modified: now,
        }).where(Service.id == service_id)
        await Capacity.update({Capacity.updated: now, Capacity.updated_by: by_id,
                               Capacity.updated_by_name: by_name[:255]}).where(
            Capacity.service == service_id
        )
        await publish("directory.service_changed", {"service_id": str(service_id)})
