"""Reading the directory: lists with filters and pagination, and full records.

Related rows are loaded per page with one IN query per table, never one query per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from piccolo.columns.combination import Where, WhereRaw

from core.errors import ReadableError
from core.i18n import N_
from directory import list_counts, terms
from directory.capacity import capacity_out
from directory.outputs import (
    CapacityOut,
    ContactOut,
    CostOptionOut,
    LocationOut,
    OrganizationOut,
    OrganizationRef,
    PhoneOut,
    RequiredDocumentOut,
    ServiceDetail,
    ServiceSummary,
    TermRef,
    TranslationOut,
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
from settings import Settings, get_settings

Condition = Where | WhereRaw | Any


@dataclass(frozen=True)
class ServiceFilters:
    organization_id: UUID | None = None
    category_id: UUID | None = None
    target_group_id: UUID | None = None
    district: str | None = None
    language: str | None = None
    status: str | None = None
    include_retired: bool = False


# --- shared pieces ---------------------------------------------------------------------------


def _phone(row: dict[str, Any]) -> PhoneOut:
    return PhoneOut(number=row["number"], extension=row["extension"], type=row["type"],
                    description=row["description"])


def _contact(row: dict[str, Any]) -> ContactOut:
    return ContactOut(name=row["name"], title=row["title"], department=row["department"],
                      email=row["email"], phone=row["phone"])


def _location(row: dict[str, Any], phones: list[PhoneOut] | None = None) -> LocationOut:
    return LocationOut(
        id=row["id"], organization_id=row["organization"], name=row["name"],
        description=row["description"], location_type=row["location_type"],
        address_1=row["address_1"], postal_code=row["postal_code"], city=row["city"],
        district=row["district"], latitude=row["latitude"], longitude=row["longitude"],
        transportation=row["transportation"],
        accessibility_description=row["accessibility_description"],
        wheelchair_accessible=bool(row["wheelchair_accessible"]),
        last_modified=row["last_modified"], retired_at=row["retired_at"], phones=phones or [],
    )


def _organization(row: dict[str, Any], phones: list[PhoneOut],
                  contacts: list[ContactOut]) -> OrganizationOut:
    return OrganizationOut(
        id=row["id"], name=row["name"], alternate_name=row["alternate_name"],
        description=row["description"], email=row["email"], website=row["website"],
        legal_status=row["legal_status"], kind=row["kind"], created_at=row["created_at"],
        last_modified=row["last_modified"], retired_at=row["retired_at"], phones=phones,
        contacts=contacts,
    )


async def _phones_by(column: Any, ids: list[UUID]) -> dict[UUID, list[PhoneOut]]:
    found: dict[UUID, list[PhoneOut]] = defaultdict(list)
    if ids:
        for row in await Phone.select().where(column.is_in(ids)).order_by(Phone.number):
            found[row[column._meta.name]].append(_phone(row))
    return found


async def _contacts_by(column: Any, ids: list[UUID]) -> dict[UUID, list[ContactOut]]:
    found: dict[UUID, list[ContactOut]] = defaultdict(list)
    if ids:
        for row in await Contact.select().where(column.is_in(ids)).order_by(Contact.name):
            found[row[column._meta.name]].append(_contact(row))
    return found


async def _capacities(ids: list[UUID], settings: Settings) -> dict[UUID, CapacityOut]:
    if not ids:
        return {}
    rows = await Capacity.select().where(Capacity.service.is_in(ids))
    return {row["service"]: capacity_out(row, settings) for row in rows}


async def _terms_of(ids: list[UUID]) -> tuple[dict[UUID, list[TermRef]], dict[UUID, list[TermRef]]]:
    categories: dict[UUID, list[TermRef]] = defaultdict(list)
    groups: dict[UUID, list[TermRef]] = defaultdict(list)
    if not ids:
        return categories, groups
    links = await ServiceTerm.select(ServiceTerm.service, ServiceTerm.term).where(
        ServiceTerm.service.is_in(ids)
    )
    known = await terms.load(link["term"] for link in links)
    for link in sorted(links, key=lambda link: str(known.get(link["term"], {}).get("code", ""))):
        row = known.get(link["term"])
        if row is None:
            continue
        target = groups if terms.is_target_group(row) else categories
        target[link["service"]].append(terms.term_ref(row))
    return categories, groups


async def _languages_of(ids: list[UUID]) -> dict[UUID, list[str]]:
    found: dict[UUID, list[str]] = defaultdict(list)
    if ids:
        rows = await ServiceLanguage.select(ServiceLanguage.service, ServiceLanguage.code).where(
            ServiceLanguage.service.is_in(ids)
        ).order_by(ServiceLanguage.code)
        for row in rows:
            found[row["service"]].append(row["code"])
    return found


async def _locations_of(ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    """Active locations of each offer, in the order they were linked."""
    found: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    if not ids:
        return found
    links = await ServiceAtLocation.select(
        ServiceAtLocation.service, ServiceAtLocation.location
    ).where(ServiceAtLocation.service.is_in(ids))
    location_ids = list({link["location"] for link in links})
    rows = {}
    if location_ids:
        rows = {
            row["id"]: row
            for row in await Location.select().where(
                Location.id.is_in(location_ids), Location.retired_at.is_null()
            )
        }
    for link in links:
        row = rows.get(link["location"])
        if row is not None:
            found[link["service"]].append(row)
    return found


# --- services --------------------------------------------------------------------------------


async def _service_conditions(filters: ServiceFilters) -> list[Condition]:
    conditions: list[Condition] = []
    if not filters.include_retired:
        conditions.append(Service.retired_at.is_null())
    if filters.organization_id is not None:
        conditions.append(Service.organization == filters.organization_id)
    if filters.status is not None:
        conditions.append(Service.status == filters.status)
    for term_id in (filters.category_id, filters.target_group_id):
        if term_id is not None:
            wanted = await terms.with_descendants(term_id)
            conditions.append(Service.id.is_in(
                ServiceTerm.select(ServiceTerm.service).where(ServiceTerm.term.is_in(wanted))
            ))
    if filters.language:
        conditions.append(Service.id.is_in(
            ServiceLanguage.select(ServiceLanguage.service).where(
                ServiceLanguage.code == filters.language
            )
        ))
    if filters.district:
        conditions.append(Service.id.is_in(
            ServiceAtLocation.select(ServiceAtLocation.service).where(
                ServiceAtLocation.location.is_in(
                    Location.select(Location.id).where(
                        Location.district == filters.district, Location.retired_at.is_null()
                    )
                )
            )
        ))
    return conditions


async def _after(service_id: UUID) -> Condition:
    """Offers after `service_id` in list order (name, then id): a page by key reads the index
    from there on, where an offset would read and skip every offer before it."""
    row = await Service.select(Service.name).where(Service.id == service_id).first()
    if row is None:
        raise ReadableError(
            N_("There is no offer with the id {id} to continue the list after."), id=service_id)
    return WhereRaw('("service"."name", "service"."id") > ({}, {})', row["name"], service_id)


async def list_services(filters: ServiceFilters, offset: int, limit: int,
                        after: UUID | None = None) -> tuple[list[ServiceSummary], int]:
    """A page of offers in name order: from `offset`, or after the offer `after` (then the
    offset is ignored); with the number of all offers the filters select."""
    conditions = await _service_conditions(filters)
    count_query = Service.count()
    select = Service.select(
        Service.id, Service.name, Service.alternate_name, Service.organization,
        Service.organization.name, Service.status, Service.description, Service.assured_date,
        Service.last_modified, Service.retired_at,
    )
    if conditions:
        count_query = count_query.where(*conditions)
    if after is not None:
        select = select.where(*conditions, await _after(after))
    elif offset:
        # The offset is walked on the index alone; only the page's rows are read and joined.
        page_ids = Service.select(Service.id).order_by(Service.name, Service.id)
        if conditions:
            page_ids = page_ids.where(*conditions)
        select = select.where(Service.id.is_in(page_ids.offset(offset).limit(limit)))
    elif conditions:
        select = select.where(*conditions)
    total = await list_counts.count(count_query)
    rows = await select.order_by(Service.name, Service.id).limit(limit)
    ids = [row["id"] for row in rows]
    settings = get_settings()
    categories, groups = await _terms_of(ids)
    languages = await _languages_of(ids)
    locations = await _locations_of(ids)
    capacities = await _capacities(ids, settings)
    items = [
        ServiceSummary(
            id=row["id"], name=row["name"], alternate_name=row["alternate_name"],
            organization=OrganizationRef(id=row["organization"],
                                         name=row["organization.name"]),
            status=row["status"], description=row["description"],
            categories=categories[row["id"]], target_groups=groups[row["id"]],
            languages=languages[row["id"]],
            districts=sorted({loc["district"] for loc in locations[row["id"]] if loc["district"]}),
            capacity=capacities.get(row["id"]), assured_date=row["assured_date"],
            last_modified=row["last_modified"], retired_at=row["retired_at"],
        )
        for row in rows
    ]
    return items, total


async def service_detail(service_id: UUID) -> ServiceDetail | None:
    row = await Service.select(
        *Service.all_columns(), Service.organization.name
    ).where(Service.id == service_id).first()
    if row is None:
        return None
    ids = [service_id]
    settings = get_settings()
    categories, groups = await _terms_of(ids)
    locations = (await _locations_of(ids))[service_id]
    location_phones = await _phones_by(Phone.location, [loc["id"] for loc in locations])
    costs = await CostOption.select().where(CostOption.service == service_id).order_by(
        CostOption.option
    )
    documents = await RequiredDocument.select().where(
        RequiredDocument.service == service_id
    ).order_by(RequiredDocument.document)
    translations = await ServiceTranslation.select().where(
        ServiceTranslation.service == service_id
    ).order_by(ServiceTranslation.language)
    return ServiceDetail(
        id=row["id"], organization=OrganizationRef(id=row["organization"],
                                                   name=row["organization.name"]),
        name=row["name"], alternate_name=row["alternate_name"], description=row["description"],
        url=row["url"], email=row["email"], status=row["status"],
        interpretation_services=row["interpretation_services"],
        application_process=row["application_process"],
        fees_description=row["fees_description"], free_of_charge=bool(row["free_of_charge"]),
        eligibility_description=row["eligibility_description"],
        minimum_age=row["minimum_age"], maximum_age=row["maximum_age"],
        wait_time=row["wait_time"], alert=row["alert"], assured_date=row["assured_date"],
        assurer_email=row["assurer_email"], created_at=row["created_at"],
        last_modified=row["last_modified"], retired_at=row["retired_at"],
        languages=(await _languages_of(ids))[service_id],
        categories=categories[service_id], target_groups=groups[service_id],
        locations=[_location(loc, location_phones[loc["id"]]) for loc in locations],
        phones=(await _phones_by(Phone.service, ids))[service_id],
        contacts=(await _contacts_by(Contact.service, ids))[service_id],
        cost_options=[
            CostOptionOut(option=c["option"],
                          amount=float(c["amount"]) if c["amount"] is not None else None,
                          currency=c["currency"], amount_description=c["amount_description"],
                          valid_from=c["valid_from"], valid_to=c["valid_to"])
            for c in costs
        ],
        required_documents=[RequiredDocumentOut(document=d["document"], uri=d["uri"])
                            for d in documents],
        translations=[TranslationOut(language=t["language"], name=t["name"],
                                     description=t["description"]) for t in translations],
        capacity=(await _capacities(ids, settings)).get(service_id),
    )


# --- organisations and locations -------------------------------------------------------------


async def list_organizations(include_retired: bool, offset: int,
                             limit: int) -> tuple[list[OrganizationOut], int]:
    count_query = Organization.count()
    select = Organization.select()
    if not include_retired:
        count_query = count_query.where(Organization.retired_at.is_null())
        select = select.where(Organization.retired_at.is_null())
    total = await list_counts.count(count_query)
    rows = await select.order_by(Organization.name).order_by(Organization.id).offset(
        offset).limit(limit)
    ids = [row["id"] for row in rows]
    phones = await _phones_by(Phone.organization, ids)
    contacts = await _contacts_by(Contact.organization, ids)
    return [_organization(row, phones[row["id"]], contacts[row["id"]]) for row in rows], total


async def organization_detail(organization_id: UUID) -> OrganizationOut | None:
    row = await Organization.select().where(Organization.id == organization_id).first()
    if row is None:
        return None
    phones = await _phones_by(Phone.organization, [organization_id])
    contacts = await _contacts_by(Contact.organization, [organization_id])
    return _organization(row, phones[organization_id], contacts[organization_id])


async def list_locations(organization_id: UUID | None, district: str | None,
                         include_retired: bool, offset: int,
                         limit: int) -> tuple[list[LocationOut], int]:
    conditions: list[Condition] = []
    if not include_retired:
        conditions.append(Location.retired_at.is_null())
    if organization_id is not None:
        conditions.append(Location.organization == organization_id)
    if district:
        conditions.append(Location.district == district)
    count_query = Location.count()
    select = Location.select()
    if conditions:
        count_query = count_query.where(*conditions)
        select = select.where(*conditions)
    total = await list_counts.count(count_query)
    rows = await select.order_by(Location.name).order_by(Location.id).offset(offset).limit(limit)
    phones = await _phones_by(Phone.location, [row["id"] for row in rows])
    return [_location(row, phones[row["id"]]) for row in rows], total


async def location_detail(location_id: UUID) -> LocationOut | None:
    row = await Location.select().where(Location.id == location_id).first()
    if row is None:
        return None
    phones = await _phones_by(Phone.location, [location_id])
    return _location(row, phones[location_id])


async def districts() -> list[str]:
    rows = await Location.select(Location.district).where(
        Location.retired_at.is_null(), Location.district != ""
    ).distinct()
    return sorted({row["district"] for row in rows})


async def languages_in_use() -> list[str]:
    rows = await ServiceLanguage.select(ServiceLanguage.code).distinct()
    return sorted({row["code"] for row in rows})


async def organization_of(table: Any, row_id: UUID) -> tuple[UUID, Any] | None:
    """(organisation id, retired_at) of a service or location; None when it does not exist."""
    row = await table.select(table.organization, table.retired_at).where(
        table.id == row_id
    ).first()
    if row is None:
        return None
    return row["organization"], row["retired_at"]
