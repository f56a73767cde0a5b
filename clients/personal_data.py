"""A client's personal data as the forms and the API carry it, and its data categories."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec

from clients.categories import (
    BIRTH_DATE,
    CATEGORIES,
    CONTACT,
    DISTRICT,
    HEALTH,
    IDENTITY,
    LANGUAGES,
    NOTES,
)

Short = Annotated[str, msgspec.Meta(max_length=200)]
Long = Annotated[str, msgspec.Meta(max_length=5000)]
LanguageCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,3}$")]


class PersonalData(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    given_name: Short = ""
    family_name: Short = ""
    birth_date: date | None = None
    phone: Short = ""
    email: Short = ""
    languages: list[LanguageCode] = msgspec.field(default_factory=list)
    district: Short = ""
    notes: Long = ""
    health_notes: Long = ""


# Which fields of PersonalData belong to which data category.
CATEGORY_FIELDS: dict[str, tuple[str, ...]] = {
    IDENTITY: ("given_name", "family_name"),
    BIRTH_DATE: ("birth_date",),
    CONTACT: ("phone", "email"),
    LANGUAGES: ("languages",),
    DISTRICT: ("district",),
    NOTES: ("notes",),
    HEALTH: ("health_notes",),
}
FIELD_CATEGORY = {name: cat for cat, names in CATEGORY_FIELDS.items() for name in names}


def category_values(data: PersonalData) -> dict[str, dict[str, Any]]:
    plain = msgspec.to_builtins(data)
    return {cat: {name: plain[name] for name in names} for cat, names in CATEGORY_FIELDS.items()}


def personal_data_from(values: dict[str, Any]) -> PersonalData:
    flat: dict[str, Any] = {}
    for cat in CATEGORY_FIELDS:
        flat.update(values.get(cat) or {})
    return msgspec.convert(flat, PersonalData)


def filled_categories(data: PersonalData) -> list[str]:
    values = category_values(data)
    return [cat for cat in CATEGORIES if any(v not in ("", None, []) for v in values[cat].values())]


def age_band(birth_date: date | None, on: date) -> str:
    """A coarse age for recipients who may not see the birth date."""
    if birth_date is None:
        return ""
    years = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    for upper, band in ((17, "0-17"), (26, "18-26"), (44, "27-44"), (64, "45-64")):
        if years <= upper:
            return band
    return "65+"


class ClientChanges(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A partial update: only the fields that are sent change."""

    pseudonym: str | msgspec.UnsetType = msgspec.UNSET
    given_name: Short | msgspec.UnsetType = msgspec.UNSET
    family_name: Short | msgspec.UnsetType = msgspec.UNSET
    birth_date: date | msgspec.UnsetType | None = msgspec.UNSET
    phone: Short | msgspec.UnsetType = msgspec.UNSET
    email: Short | msgspec.UnsetType = msgspec.UNSET
    languages: list[LanguageCode] | msgspec.UnsetType = msgspec.UNSET
    district: Short | msgspec.UnsetType = msgspec.UNSET
    notes: Long | msgspec.UnsetType = msgspec.UNSET
    health_notes: Long | msgspec.UnsetType = msgspec.UNSET


def changes_sent(changes: ClientChanges) -> set[str]:
    return {f for f in changes.__struct_fields__ if getattr(changes, f) is not msgspec.UNSET}


class ClientInput(PersonalData, kw_only=True, forbid_unknown_fields=True):
    """A new client: personal data, optionally a chosen pseudonym and organisation."""

    pseudonym: Annotated[str, msgspec.Meta(max_length=40)] = ""
    organization_id: UUID | None = None

    def personal(self) -> PersonalData:
        return PersonalData(**{f: getattr(self, f) for f in PersonalData.__struct_fields__})
