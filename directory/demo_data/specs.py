"""Shapes of the demo data: organisations with their places, offer templates and users."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PLACES = "Plätze"
APPOINTMENTS = "Termine pro Woche"


@dataclass(frozen=True)
class Fee:
    option: str
    amount: Decimal
    description: str


@dataclass(frozen=True)
class CapacitySpec:
    unit: str
    maximum: int


@dataclass(frozen=True)
class OfferTemplate:
    """An offer as it typically exists; organisations place it, possibly under another name."""

    key: str
    name: str
    # Category codes of the "Lotse-Kategorien" taxonomy; the first one is the main category.
    categories: tuple[str, ...]
    leads: tuple[str, ...]
    details: tuple[str, ...]
    groups: tuple[str, ...] = ()
    eligibility: str = ""
    documents: tuple[str, ...] = ()
    application: str = ""
    min_age: int | None = None
    max_age: int | None = None
    fee: Fee | None = None
    capacity: CapacitySpec | None = None
    languages: tuple[str, ...] = ()
    wait_time: str = ""
    interpretation: str = ""


@dataclass(frozen=True)
class Place:
    """A location of an organisation; without a street one is picked for the district."""

    name: str
    district: str
    street: str = ""
    wheelchair: bool = True
    accessibility: str = ""
    # A protected address (women's shelter): no coordinates are published.
    confidential: bool = False


@dataclass(frozen=True)
class Offer:
    """An organisation's offer made from a template."""

    template: str
    name: str = ""
    # Indexes into the organisation's places; the first is where the offer mainly happens.
    places: tuple[int, ...] = (0,)
    languages: tuple[str, ...] = ()
    # True where this organisation offers for free what usually costs a fee.
    no_fee: bool = False


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    kind: str
    description: str
    domain: str
    places: tuple[Place, ...]
    offers: tuple[Offer, ...]
    legal_status: str = "eingetragener Verein"
    alternate_name: str | None = None
    # Languages the staff speak; added to every offer of the organisation.
    languages: tuple[str, ...] = ()
    city_phone: bool = False


@dataclass(frozen=True)
class DemoUserSpec:
    key: str
    email: str
    display_name: str
    role: str
    organization: str


def offers(*items: str | Offer) -> tuple[Offer, ...]:
    """Shorthand: a bare template key places the template under its own name at place 0."""
    return tuple(Offer(item) if isinstance(item, str) else item for item in items)
