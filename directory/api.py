"""The directory's front door: what other domains may call. No other domain imports
`directory.tables`; they call these functions and get these structs.

    from directory import api as directory
    names = await directory.organization_names([org_id])

The names below are the directory's own functions, given here under the names other domains use;
each is documented where it is defined.
"""

from __future__ import annotations

from directory import (
    bulk_seed,
    capacity,
    capacity_figures,
    figures,
    languages,
    list_counts,
    listings,
    offer_records,
    offer_refs,
    organization_lookup,
    organizations,
    queries,
    record_writes,
    records,
    referral_offers,
    schemas,
)
from directory.demo_data import synthetic

# --- capacity: the one writer of free places ---------------------------------------------------
# Free and held places change only through these: a provider's edit or one-click step, and a
# referral taking or giving back a place. Each refuses what breaks the maximum and tells search.
Step = capacity.Step
Take = capacity.Take
update_capacity = capacity.update_capacity
apply_step = capacity.apply_step
take_place = capacity.take_place
return_place = capacity.return_place
# (offers with capacity, of which stale) for monitoring.
capacity_staleness = capacity_figures.stale_count

# --- organisations -----------------------------------------------------------------------------
OrganizationCreate = schemas.OrganizationCreate
OrganizationName = organization_lookup.OrganizationName
OrganizationStatus = organization_lookup.OrganizationStatus
OrganizationListing = organization_lookup.OrganizationListing
create_organization = organizations.create_organization
organization_names = organization_lookup.organization_names
organization_status = organization_lookup.organization_status
organization_choices = organization_lookup.organization_choices
find_organizations = organization_lookup.find_organizations
# The name of a live organisation (None once it is retired), for feeds and pages.
organization_name = offer_refs.organization_name

# --- languages: names of the codes offers are held in (kmr -> "Kurmandschi (Nordkurdisch)") -----
language_name = languages.name

# --- offers as the directory's own API shows them ----------------------------------------------
ServiceFilters = queries.ServiceFilters
list_services = queries.list_services
# Kept list totals are counted again (a test's fresh database).
forget_list_counts = list_counts.forget
service_detail = queries.service_detail
# One offer whole: places, phones, contacts, documents to bring, translations (slips, pages).
ServiceDetail = queries.ServiceDetail
service_names = offer_refs.service_names

# --- offers as a referral needs them: name, provider, whether it takes referrals ---------------
ReferralOffer = referral_offers.ReferralOffer
offer_for_referral = referral_offers.offer_for_referral
offers_for_referrals = referral_offers.offers_for_referrals
offer_takes_referrals = referral_offers.takes_referrals

# --- offers and places as calendars hang schedules, slots and feeds on them --------------------
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
organization_service_ids = offer_refs.organization_service_ids
active_service_ids = offer_refs.active_service_ids
active_offer_outlines = offer_refs.active_offer_outlines

# --- listed offers read whole, in batches, for the search index --------------------------------
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

# --- whole records of every table for open data (the HSDS API, export and import) --------------
ListingFilter = listings.ListingFilter
ListingKind = listings.ListingKind
OfferProperty = listings.OfferProperty
ListingPage = listings.ListingPage
listing_page = listings.page
listing_count = listings.count
listing_batches = listings.batches
listed_record = listings.one
NamedRecord = records.NamedRecord
OrganizationRecord = records.OrganizationRecord
LocationRecord = records.LocationRecord
ServiceRecord = records.ServiceRecord
ServiceAtLocationRecord = records.ServiceAtLocationRecord
ServiceDetails = records.ServiceDetails
PhoneRecord = records.PhoneRecord
ContactRecord = records.ContactRecord
LanguageRecord = records.LanguageRecord
CostOptionRecord = records.CostOptionRecord
RequiredDocumentRecord = records.RequiredDocumentRecord
CapacityRecord = records.CapacityRecord
TranslationRecord = records.TranslationRecord
ServiceTermRecord = records.ServiceTermRecord
TaxonomyRecord = records.TaxonomyRecord
TaxonomyTermRecord = records.TaxonomyTermRecord
organization_records = records.organizations
service_records = records.services
location_records = records.locations
locations_of_organizations = records.locations_of_organizations
service_at_locations_of_services = records.service_at_locations_of_services
phones_of = records.phones_of
contacts_of = records.contacts_of
service_details = records.service_details
taxonomy_records = records.taxonomies
taxonomy_term_records = records.taxonomy_terms
live_services_of_organization = records.live_services_of_organization
live_service_names = records.live_service_names
service_addresses = records.service_addresses
# Records from another system: the directory plans and applies them, and tells search.
import_text_limits = record_writes.text_limits
existing_import_ids = record_writes.existing_ids
plan_imported_records = record_writes.plan_records
apply_imported_records = record_writes.apply_records
announce_imported_changes = record_writes.announce_changes
import_owners = record_writes.owners
term_id_by_code = record_writes.term_id_by_code
adopt_term = record_writes.adopt_term
link_services_to_term = record_writes.link_services_to_term

# --- generated networks for benchmarks ---------------------------------------------------------
SeedTerm = bulk_seed.SeedTerm
SeedTaxonomy = bulk_seed.SeedTaxonomy
SeedPlace = bulk_seed.SeedPlace
SeedCapacity = bulk_seed.SeedCapacity
SeedOffer = bulk_seed.SeedOffer
seed_taxonomies = bulk_seed.seed_taxonomies
seed_offers = bulk_seed.seed_offers
fill_synthetic_directory = synthetic.fill_synthetic

# --- figures for the analysis (offers are public: no suppression needed) -----------------------
OfferCell = figures.OfferCell
LanguageOffers = figures.LanguageOffers
SnapshotRow = figures.SnapshotRow
offer_cells = figures.offer_cells
district_names = figures.district_names
offer_languages = figures.offer_languages
take_capacity_snapshot = figures.take_capacity_snapshot
capacity_history = figures.capacity_history
category_names = figures.category_names
district_centres = figures.district_centres
