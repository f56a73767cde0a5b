"""Input of the directory's write operations: msgspec structs with their limits.

Structs refuse unknown fields; lengths and ranges match the columns in `directory.tables`, so
nothing the database would refuse gets past decoding. Updates use UNSET for "leave as it is".
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException
from msgspec import UNSET, Meta, UnsetType

from core.validation import OneLine, OptionalOneLine, strip_one_line

T = TypeVar("T")

Name = OneLine
Short = Annotated[str, Meta(max_length=255)]
LongText = Annotated[str, Meta(max_length=20_000)]
Url = Annotated[str, Meta(max_length=500, pattern=r"^https?://\S+$")]
Email = Annotated[str, Meta(max_length=255, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
PhoneNumber = Annotated[str, Meta(min_length=1, max_length=50)]
LanguageCode = Annotated[str, Meta(min_length=2, max_length=3, pattern=r"^[a-z]{2,3}$")]
Kind = Annotated[str, Meta(min_length=1, max_length=50, pattern=r"^[a-z_]+$")]
Age = Annotated[int, Meta(ge=0, le=120)]
Places = Annotated[int, Meta(ge=0, le=100_000)]
Amount = Annotated[float, Meta(ge=0, le=99_999_999)]
Latitude = Annotated[float, Meta(ge=-90, le=90)]
Longitude = Annotated[float, Meta(ge=-180, le=180)]
Ids = Annotated[list[UUID], Meta(max_length=100)]

ServiceStatus = Literal["active", "inactive", "defunct", "temporarily closed"]
SERVICE_STATUSES: tuple[str, ...] = ("active", "inactive", "defunct", "temporarily closed")
PhoneType = Literal["voice", "fax", "text", "cell", "video", "pager", "textphone"]
LocationType = Literal["physical", "virtual", "postal"]


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every input struct."""

    def __post_init__(self) -> None:
        strip_one_line(self)


class PhoneIn(Input):
    number: PhoneNumber
    extension: Annotated[str, Meta(max_length=20)] | None = None
    type: PhoneType = "voice"
    description: Short = ""


class ContactIn(Input):
    name: Name
    title: OptionalOneLine = ""
    department: Short = ""
    email: Email | None = None
    phone: Annotated[str, Meta(max_length=50)] | None = None


class CostOptionIn(Input):
    option: Short = ""
    amount: Amount | None = None
    currency: Annotated[str, Meta(pattern=r"^[A-Z]{3}$")] = "EUR"
    amount_description: Short = ""
    valid_from: date | None = None
    valid_to: date | None = None


class RequiredDocumentIn(Input):
    document: Name
    uri: Url | None = None


class TranslationIn(Input):
    language: LanguageCode
    name: Name
    description: LongText = ""


class CapacityIn(Input):
    unit: Annotated[str, Meta(min_length=1, max_length=100)] = "Plätze"
    maximum: Places = 0
    available: Places = 0
    waitlist_open: bool = False
    description: Short = ""


class CapacityUpdate(Input):
    """PATCH of an offer's capacity: only what is sent changes."""

    available: Places | UnsetType = UNSET
    maximum: Places | UnsetType = UNSET
    waitlist_open: bool | UnsetType = UNSET
    unit: Annotated[str, Meta(min_length=1, max_length=100)] | UnsetType = UNSET
    description: Short | UnsetType = UNSET


Phones = Annotated[list[PhoneIn], Meta(max_length=20)]
Contacts = Annotated[list[ContactIn], Meta(max_length=20)]
CostOptions = Annotated[list[CostOptionIn], Meta(max_length=20)]
Documents = Annotated[list[RequiredDocumentIn], Meta(max_length=50)]
Translations = Annotated[list[TranslationIn], Meta(max_length=30)]
Languages = Annotated[list[LanguageCode], Meta(max_length=50)]


class ServiceCreate(Input):
    organization_id: UUID
    name: Name
    alternate_name: OptionalOneLine | None = None
    description: LongText = ""
    url: Url | None = None
    email: Email | None = None
    status: ServiceStatus = "active"
    interpretation_services: LongText = ""
    application_process: LongText = ""
    fees_description: LongText = ""
    free_of_charge: bool = True
    eligibility_description: LongText = ""
    minimum_age: Age | None = None
    maximum_age: Age | None = None
    wait_time: Short = ""
    alert: LongText = ""
    languages: Languages = []
    category_ids: Ids = []
    target_group_ids: Ids = []
    location_ids: Ids = []
    phones: Phones = []
    contacts: Contacts = []
    cost_options: CostOptions = []
    required_documents: Documents = []
    translations: Translations = []
    capacity: CapacityIn | None = None


class ServiceUpdate(Input):
    """Partial update: a field left out stays; a list given replaces the whole list."""

    name: Name | UnsetType = UNSET
    alternate_name: OptionalOneLine | UnsetType | None = UNSET
    description: LongText | UnsetType = UNSET
    url: Url | UnsetType | None = UNSET
    email: Email | UnsetType | None = UNSET
    status: ServiceStatus | UnsetType = UNSET
    interpretation_services: LongText | UnsetType = UNSET
    application_process: LongText | UnsetType = UNSET
    fees_description: LongText | UnsetType = UNSET
    free_of_charge: bool | UnsetType = UNSET
    eligibility_description: LongText | UnsetType = UNSET
    minimum_age: Age | UnsetType | None = UNSET
    maximum_age: Age | UnsetType | None = UNSET
    wait_time: Short | UnsetType = UNSET
    alert: LongText | UnsetType = UNSET
    languages: Languages | UnsetType = UNSET
    category_ids: Ids | UnsetType = UNSET
    target_group_ids: Ids | UnsetType = UNSET
    location_ids: Ids | UnsetType = UNSET
    phones: Phones | UnsetType = UNSET
    contacts: Contacts | UnsetType = UNSET
    cost_options: CostOptions | UnsetType = UNSET
    required_documents: Documents | UnsetType = UNSET
    translations: Translations | UnsetType = UNSET


class OrganizationCreate(Input):
    name: Name
    alternate_name: OptionalOneLine | None = None
    description: LongText = ""
    email: Email | None = None
    website: Url | None = None
    legal_status: Annotated[str, Meta(max_length=100)] | None = None
    kind: Kind = "other"
    phones: Phones = []
    contacts: Contacts = []


class OrganizationUpdate(Input):
    name: Name | UnsetType = UNSET
    alternate_name: OptionalOneLine | UnsetType | None = UNSET
    description: LongText | UnsetType = UNSET
    email: Email | UnsetType | None = UNSET
    website: Url | UnsetType | None = UNSET
    legal_status: Annotated[str, Meta(max_length=100)] | UnsetType | None = UNSET
    kind: Kind | UnsetType = UNSET
    phones: Phones | UnsetType = UNSET
    contacts: Contacts | UnsetType = UNSET


# What provider staff may change of their own organisation; the rest is the coordination's.
ORGANIZATION_STAFF_FIELDS = frozenset({"description", "email", "website", "phones", "contacts"})


class LocationCreate(Input):
    organization_id: UUID
    name: Name
    description: LongText = ""
    location_type: LocationType = "physical"
    address_1: Short = ""
    postal_code: Annotated[str, Meta(max_length=20)] = ""
    city: Annotated[str, Meta(max_length=100)] = "Mülheim an der Ruhr"
    district: Annotated[str, Meta(max_length=100)] = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    transportation: LongText = ""
    accessibility_description: LongText = ""
    wheelchair_accessible: bool = False
    phones: Phones = []


class LocationUpdate(Input):
    name: Name | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    location_type: LocationType | UnsetType = UNSET
    address_1: Short | UnsetType = UNSET
    postal_code: Annotated[str, Meta(max_length=20)] | UnsetType = UNSET
    city: Annotated[str, Meta(max_length=100)] | UnsetType = UNSET
    district: Annotated[str, Meta(max_length=100)] | UnsetType = UNSET
    latitude: Latitude | UnsetType | None = UNSET
    longitude: Longitude | UnsetType | None = UNSET
    transportation: LongText | UnsetType = UNSET
    accessibility_description: LongText | UnsetType = UNSET
    wheelchair_accessible: bool | UnsetType = UNSET
    phones: Phones | UnsetType = UNSET


def given(struct: msgspec.Struct) -> dict[str, Any]:
    """The fields a partial update actually carries."""
    return {
        field: getattr(struct, field)
        for field in struct.__struct_fields__
        if getattr(struct, field) is not UNSET
    }


def check_text(value: Any, path: str = "") -> None:
    """Refuse NUL characters anywhere in the input: PostgreSQL cannot store them in text."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationException(f"{path or 'input'}: remove the NUL character from the text")
    elif isinstance(value, msgspec.Struct):
        for field in value.__struct_fields__:
            check_text(getattr(value, field), f"{path}.{field}" if path else field)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_text(item, f"{path}[{index}]")


async def strict_body(request: Request, shape: type[T]) -> T:
    """Decode the body again without type coercion: "3" is not a number, 1 is not true.

    Litestar converts request data leniently; the directory wants wrong types refused.
    """
    try:
        return msgspec.json.decode(await request.body(), type=shape)
    except msgspec.ValidationError as error:
        raise ValidationException(f"Invalid input: {error}") from None
