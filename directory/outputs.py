"""What the directory's API answers: read models shared by the API and the pages."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec


class TermRef(msgspec.Struct):
    id: UUID
    code: str
    name: str
    name_en: str
    parent_id: UUID | None = None


class OrganizationRef(msgspec.Struct):
    id: UUID
    name: str


class PhoneOut(msgspec.Struct):
    number: str
    extension: str | None
    type: str
    description: str


class ContactOut(msgspec.Struct):
    name: str
    title: str
    department: str
    email: str | None
    phone: str | None


class CostOptionOut(msgspec.Struct):
    option: str
    amount: float | None
    currency: str
    amount_description: str
    valid_from: date | None
    valid_to: date | None


class RequiredDocumentOut(msgspec.Struct):
    document: str
    uri: str | None


class TranslationOut(msgspec.Struct):
    language: str
    name: str
    description: str


class CapacityOut(msgspec.Struct):
    unit: str
    maximum: int
    available: int
    waitlist_open: bool
    description: str
    updated: datetime
    updated_by_name: str
    # True when the figures were last confirmed longer ago than LOTSE_CAPACITY_STALE_DAYS.
    stale: bool


class LocationOut(msgspec.Struct):
    id: UUID
    organization_id: UUID
    name: str
    description: str
    location_type: str
    address_1: str
    postal_code: str
    city: str
    district: str
    latitude: float | None
    longitude: float | None
    transportation: str
    accessibility_description: str
    wheelchair_accessible: bool
    last_modified: datetime
    retired_at: datetime | None
    phones: list[PhoneOut] = []


class OrganizationOut(msgspec.Struct):
    id: UUID
    name: str
    alternate_name: str | None
    description: str
    email: str | None
    website: str | None
    legal_status: str | None
    kind: str
    created_at: datetime
    last_modified: datetime
    retired_at: datetime | None
    phones: list[PhoneOut] = []
    contacts: list[ContactOut] = []


class ServiceSummary(msgspec.Struct):
    id: UUID
    name: str
    alternate_name: str | None
    organization: OrganizationRef
    status: str
    description: str
    categories: list[TermRef]
    target_groups: list[TermRef]
    languages: list[str]
    districts: list[str]
    capacity: CapacityOut | None
    assured_date: date | None
    last_modified: datetime
    retired_at: datetime | None


class ServiceDetail(msgspec.Struct):
    id: UUID
    organization: OrganizationRef
    name: str
    alternate_name: str | None
    description: str
    url: str | None
    email: str | None
    status: str
    interpretation_services: str
    application_process: str
    fees_description: str
    free_of_charge: bool
    eligibility_description: str
    minimum_age: int | None
    maximum_age: int | None
    wait_time: str
    alert: str
    assured_date: date | None
    assurer_email: str | None
    created_at: datetime
    last_modified: datetime
    retired_at: datetime | None
    languages: list[str]
    categories: list[TermRef]
    target_groups: list[TermRef]
    locations: list[LocationOut]
    phones: list[PhoneOut]
    contacts: list[ContactOut]
    cost_options: list[CostOptionOut]
    required_documents: list[RequiredDocumentOut]
    translations: list[TranslationOut]
    capacity: CapacityOut | None
