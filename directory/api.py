"""The directory's front door: what other domains may call. No other domain imports
`directory.tables`; they call these functions and get these structs.

    from directory import api as directory
    names = await directory.organization_names([org_id])
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import msgspec

from directory import (
    bulk_seed,
    offer_records,
    offer_refs,
    organization_lookup,
    organizations,
    outputs,
    queries,
    schemas,
)
from directory import listings as _listings
from directory import record_writes as _writes
from directory import records as _records

# --- capacity: the one writer of free places ---------------------------------------------------
# Free and held places change only through these: a provider's edit or one-click step, and a
# referral taking or giving back a place. Each refuses what breaks the maximum and tells search.
# (The imports of the "for referrals" section sit here too, so that they stay at the top.)
from directory.capacity import Step as Step
from directory.capacity import Take as Take
from directory.capacity import apply_step as apply_step
from directory.capacity import return_place as return_place
from directory.capacity import take_place as take_place
from directory.capacity import update_capacity as update_capacity
from directory.demo_data import synthetic
from directory.listings import ListingFilter, ListingKind, ListingPage  # noqa: F401
from directory.outputs import OrganizationRef
from directory.records import (  # noqa: F401
    CapacityRecord,
    ContactRecord,
    CostOptionRecord,
    LanguageRecord,
    LocationRecord,
    NamedRecord,
    OrganizationRecord,
    PhoneRecord,
    RequiredDocumentRecord,
    ServiceAtLocationRecord,
    ServiceDetails,
    ServiceRecord,
    ServiceTermRecord,
    TaxonomyRecord,
    TaxonomyTermRecord,
    TranslationRecord,
)
from directory.referral_offers import ReferralOffer as ReferralOffer
from directory.referral_offers import offer_for_referral as offer_for_referral
from directory.referral_offers import offers_for_referrals as offers_for_referrals
from directory.tables import Organization, Service

# --- organisations ------------------------------------------------------------------------------

OrganizationCreate = schemas.OrganizationCreate
# A new member organisation (tells search); `schemas.OrganizationCreate` says what it needs.
create_organization = organizations.create_organization


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
# `offer_for_referral` / `offers_for_referrals` (imported above): an offer's name, provider and
# whether it takes referrals, one query for a whole batch. Places: `take_place`, `return_place`.


# --- for search documents ----------------------------------------------------------------------
# Search keeps a copy of every listed offer and reads them whole, in batches; its benchmark seeds
# a large network in bulk.
TermNode = offer_records.TermNode
OfferText = offer_records.OfferText
OfferPlace = offer_records.OfferPlace
OfferCost = offer_records.OfferCost
OfferCapacity = offer_records.OfferCapacity
OfferRecord = offer_records.OfferRecord
listed_offers = offer_records.listed_offers
taxonomy_terms = offer_records.taxonomy_terms
offer_ids_after = offer_records.offer_ids_after
count_offers = offer_records.count_offers
offer_ids_of_organization = offer_records.offer_ids_of_organization
SeedTerm = bulk_seed.SeedTerm
SeedTaxonomy = bulk_seed.SeedTaxonomy
SeedPlace = bulk_seed.SeedPlace
SeedCapacity = bulk_seed.SeedCapacity
SeedOffer = bulk_seed.SeedOffer
seed_taxonomies = bulk_seed.seed_taxonomies
seed_offers = bulk_seed.seed_offers


# --- for calendars -----------------------------------------------------------------------------
# Calendars hangs schedules, slots and feeds on offers and places and shows their names.
ServiceBrief = offer_refs.ServiceBrief
PlaceBrief = offer_refs.PlaceBrief
OfferOutline = offer_refs.OfferOutline
service_briefs = offer_refs.service_briefs
service_brief = offer_refs.service_brief
place_briefs = offer_refs.place_briefs
first_place_brief = offer_refs.first_place_brief
service_places = offer_refs.service_places
services_at_location = offer_refs.services_at_location
service_of_place = offer_refs.service_of_place
organization_name = offer_refs.organization_name
organization_service_ids = offer_refs.organization_service_ids
active_service_ids = offer_refs.active_service_ids
active_offer_outlines = offer_refs.active_offer_outlines


# --- for HSDS ----------------------------------------------------------------------------------
# Whole records of every table for the open-data interfaces (the HSDS API, export and import),
# read in pages and batches; `directory.listings` and `directory.records` hold the queries.
listing_page = _listings.page
listing_count = _listings.count
listing_batches = _listings.batches
listed_record = _listings.one
organization_records = _records.organizations
service_records = _records.services
location_records = _records.locations
locations_of_organizations = _records.locations_of_organizations
service_at_locations_of_services = _records.service_at_locations_of_services
phones_of = _records.phones_of
contacts_of = _records.contacts_of
service_details = _records.service_details
taxonomy_records = _records.taxonomies
taxonomy_term_records = _records.taxonomy_terms
live_services_of_organization = _records.live_services_of_organization
organization_name_records = _records.organization_names
live_service_names = _records.live_service_names
service_addresses = _records.service_addresses

# Writing records from another system (the HSDS import): the directory plans and applies them.
import_text_limits = _writes.text_limits
existing_import_ids = _writes.existing_ids
plan_imported_records = _writes.plan_records
apply_imported_records = _writes.apply_records
announce_imported_changes = _writes.announce_changes
term_id_by_code = _writes.term_id_by_code
adopt_term = _writes.adopt_term
link_services_to_term = _writes.link_services_to_term
