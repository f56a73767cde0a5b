"""The directory's front door: what other domains may call. No other domain imports
`directory.tables`; they call these functions and get these structs.

    from directory import api as directory
    names = await directory.organization_names([org_id])
"""

from __future__ import annotations

# --- capacity: the one writer of free places ---------------------------------------------------


# --- for accounts and the demo -----------------------------------------------------------------


# --- for clients and consent -------------------------------------------------------------------


# --- for referrals -----------------------------------------------------------------------------


# --- for search documents ----------------------------------------------------------------------


# --- for calendars -----------------------------------------------------------------------------


# --- for HSDS ----------------------------------------------------------------------------------
# Whole records of every table for the open-data interfaces (the HSDS API, export and import),
# read in pages and batches; `directory.listings` and `directory.records` hold the queries.
# Sections keep their own imports (so that they merge cleanly); isort would join them.
# ruff: noqa: I001
from directory import listings as _listings
from directory import record_writes as _writes
from directory import records as _records
from directory.listings import ListingFilter, ListingKind, ListingPage  # noqa: F401
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
