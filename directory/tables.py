"""The directory: organisations, offers (services), locations and their details.

Field names follow HSDS 3.1 where they fit, so that the HSDS export is a mapping.
"""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Numeric,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.readable import Readable
from piccolo.table import Table


class Organization(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=255, index=True)
    alternate_name = Varchar(length=255, null=True, default=None)
    description = Text(default="")
    email = Varchar(length=255, null=True, default=None)
    website = Varchar(length=500, null=True, default=None)
    legal_status = Varchar(length=100, null=True, default=None)
    # Kind of member in the network: welfare, public_office, education, volunteer, club, ...
    kind = Varchar(length=50, default="other")
    created_at = Timestamptz(default=TimestamptzNow())
    last_modified = Timestamptz(default=TimestamptzNow(), index=True)
    retired_at = Timestamptz(null=True, default=None)

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.name])


class Location(Table):
    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, index=True)
    name = Varchar(length=255)
    description = Text(default="")
    location_type = Varchar(length=20, default="physical")
    address_1 = Varchar(length=255, default="")
    postal_code = Varchar(length=20, default="")
    city = Varchar(length=100, default="Mülheim an der Ruhr")
    district = Varchar(length=100, default="", index=True)
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    transportation = Text(default="")
    accessibility_description = Text(default="")
    wheelchair_accessible = Boolean(default=False)
    last_modified = Timestamptz(default=TimestamptzNow(), index=True)
    retired_at = Timestamptz(null=True, default=None)


class Service(Table):
    """An offer ("Angebot")."""

    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, index=True)
    name = Varchar(length=255)
    alternate_name = Varchar(length=255, null=True, default=None)
    description = Text(default="")
    url = Varchar(length=500, null=True, default=None)
    email = Varchar(length=255, null=True, default=None)
    # HSDS status: active, inactive, defunct, temporarily closed
    status = Varchar(length=30, default="active", index=True)
    interpretation_services = Text(default="")
    application_process = Text(default="")
    fees_description = Text(default="")
    free_of_charge = Boolean(default=True)
    eligibility_description = Text(default="")
    minimum_age = Integer(null=True, default=None)
    maximum_age = Integer(null=True, default=None)
    wait_time = Varchar(length=255, default="")
    alert = Text(default="")
    assured_date = Date(null=True, default=None)
    assurer_email = Varchar(length=255, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    last_modified = Timestamptz(default=TimestamptzNow(), index=True)
    retired_at = Timestamptz(null=True, default=None)


class ServiceTranslation(Table):
    """Name and description of an offer in another language (ISO 639-1 code)."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, index=True)
    language = Varchar(length=10)
    name = Varchar(length=255)
    description = Text(default="")


class ServiceAtLocation(Table):
    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, index=True)
    location = ForeignKey(references=Location, index=True)
    description = Text(default="")


class Phone(Table):
    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, null=True, default=None, index=True)
    service = ForeignKey(references=Service, null=True, default=None, index=True)
    location = ForeignKey(references=Location, null=True, default=None, index=True)
    number = Varchar(length=50)
    extension = Varchar(length=20, null=True, default=None)
    type = Varchar(length=20, default="voice")
    description = Varchar(length=255, default="")


class Contact(Table):
    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, null=True, default=None, index=True)
    service = ForeignKey(references=Service, null=True, default=None, index=True)
    name = Varchar(length=255)
    title = Varchar(length=255, default="")
    department = Varchar(length=255, default="")
    email = Varchar(length=255, null=True, default=None)
    phone = Varchar(length=50, null=True, default=None)


class ServiceLanguage(Table):
    """A language spoken in an offer (ISO 639-1 where it exists, else ISO 639-3)."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, index=True)
    code = Varchar(length=10)
    note = Varchar(length=255, default="")


class Taxonomy(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=255)
    description = Text(default="")
    uri = Varchar(length=500, null=True, default=None)
    version = Varchar(length=50, null=True, default=None)


class TaxonomyTerm(Table):
    """A category or a target group; `parent` builds the category tree."""

    id = UUID(primary_key=True)
    taxonomy = ForeignKey(references=Taxonomy, index=True)
    parent: ForeignKey[TaxonomyTerm] = ForeignKey(references="self", null=True, default=None)
    code = Varchar(length=100, index=True)
    name = Varchar(length=255)
    name_en = Varchar(length=255, default="")
    description = Text(default="")


class ServiceTerm(Table):
    """Links an offer to a taxonomy term (category or target group)."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, index=True)
    term = ForeignKey(references=TaxonomyTerm, index=True)


class CostOption(Table):
    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, index=True)
    option = Varchar(length=255, default="")
    amount = Numeric(digits=(10, 2), null=True, default=None)
    currency = Varchar(length=3, default="EUR")
    amount_description = Varchar(length=255, default="")
    valid_from = Date(null=True, default=None)
    valid_to = Date(null=True, default=None)


class RequiredDocument(Table):
    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, index=True)
    document = Varchar(length=255)
    uri = Varchar(length=500, null=True, default=None)


class Capacity(Table):
    """Live capacity of an offer: one row per offer."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, unique=True)
    unit = Varchar(length=100, default="Plätze")
    maximum = Integer(default=0)
    available = Integer(default=0)
    # Places taken by accepted referrals (and freed places offered to the waitlist): counted by
    # `directory.capacity` only, so that available + held never exceeds the maximum.
    held = Integer(default=0)
    waitlist_open = Boolean(default=False)
    description = Varchar(length=255, default="")
    updated = Timestamptz(default=TimestamptzNow())
    # The user who last confirmed the figures (an accounts user id; no FK across domains).
    updated_by = UUID(null=True, default=None)
    updated_by_name = Varchar(length=255, default="")


class CapacitySnapshot(Table):
    """Free places of one day, per top category and district, kept for the capacity history
    (the live `Capacity` row keeps no past). Taken once a day by the referral exchange's tick;
    `key` (day|category|district) makes a second run of the same day fail instead of doubling."""

    id = UUID(primary_key=True)
    key = Varchar(length=250, unique=True)
    day = Date(index=True)
    category = Varchar(length=100, default="")
    district = Varchar(length=100, default="")
    offers = Integer(default=0)
    with_capacity = Integer(default=0)
    free_places = Integer(default=0)
    stale = Integer(default=0)
