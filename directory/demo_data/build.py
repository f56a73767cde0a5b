"""Turns the demo specifications into table rows: the same rows, with the same ids, every run.

Only the timestamps follow the clock (`now`), so that "fresh" and "stale" stay meaningful.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from directory.demo_data import compose
from directory.demo_data.offers_community import TEMPLATES as COMMUNITY
from directory.demo_data.offers_everyday import TEMPLATES as EVERYDAY
from directory.demo_data.offers_family import TEMPLATES as FAMILY
from directory.demo_data.offers_language import TEMPLATES as LANGUAGE
from directory.demo_data.offers_work import TEMPLATES as WORK
from directory.demo_data.orgs_community import ORGS as COMMUNITY_ORGS
from directory.demo_data.orgs_public import CITY as CITY_DOMAIN
from directory.demo_data.orgs_public import ORGS as PUBLIC_ORGS
from directory.demo_data.orgs_welfare import ORGS as WELFARE_ORGS
from directory.demo_data.places import DISTRICTS, STREETS
from directory.demo_data.specs import APPOINTMENTS, Offer, OfferTemplate, OrgSpec
from directory.demo_data.translations import TRANSLATIONS
from directory.demo_data.users import USERS
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
from directory.taxonomy_data import TARGET_GROUP_PREFIX, term_by_code, term_id

# Fixed namespace and seed: the demo is identical on every machine and every run.
DEMO_NAMESPACE = uuid.UUID("0b6f3f8e-4d1c-5a7e-8b2d-7c9e1f5a3d20")
DEMO_SEED = 45468

ORGANIZATIONS: tuple[OrgSpec, ...] = PUBLIC_ORGS + WELFARE_ORGS + COMMUNITY_ORGS
TEMPLATES: dict[str, OfferTemplate] = {
    t.key: t for t in LANGUAGE + WORK + FAMILY + EVERYDAY + COMMUNITY
}

# Capacity states shown on purpose in demos; all other offers get a seeded random state.
FORCED_CAPACITY: dict[tuple[str, str], str] = {
    ("awo-integration", "integrationskurs-alpha"): "full_waitlist",
    ("awo-integration", "bewerbungstraining"): "open",
    ("awo-integration", "mbe"): "stale_open",
    ("awo-integration", "deutschkurs-frauen"): "full_closed",
    ("vhs", "integrationskurs"): "open",
    ("vhs", "berufssprachkurs-b2"): "full_waitlist",
    ("psz", "psychotherapie"): "full_waitlist",
    ("frauenhaus", "schutzplaetze"): "full_closed",
    ("wohnraumhilfe", "wohnraumvermittlung"): "stale_full_waitlist",
}
_RANDOM_STATES = (
    ("open",) * 14 + ("full_waitlist",) * 2 + ("full_closed",) + ("stale_open",) * 4
    + ("stale_full_waitlist",)
)

STATUS: dict[tuple[str, str], tuple[str, str]] = {
    ("sv-styrum", "maedchenfussball"): (
        "temporarily closed", "Winterpause: das Training beginnt im März wieder."),
    ("saarn-begegnung", "vorlesestunde"): (
        "temporarily closed", "Die Vorlesestunde pausiert, bis eine neue Vorleserin gefunden ist."),
}
ALERTS: dict[tuple[str, str], str] = {
    ("abh", "aufenthaltstitel"): "Wegen hoher Nachfrage sind Termine erst in etwa sechs Wochen "
                                 "frei. Bei ablaufendem Titel bitte das Servicetelefon nutzen.",
    ("jobcenter", "buergergeld"): "Die Eingangszone ist mittwochs nachmittags geschlossen.",
}


def demo_id(kind: str, *key: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, ":".join((kind, *key)))


def organization_id(key: str) -> uuid.UUID:
    return demo_id("organization", key)


def user_id(key: str) -> uuid.UUID:
    return demo_id("user", key)


@dataclass
class DemoRows:
    organizations: list[Organization] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    service_at_locations: list[ServiceAtLocation] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    languages: list[ServiceLanguage] = field(default_factory=list)
    terms: list[ServiceTerm] = field(default_factory=list)
    cost_options: list[CostOption] = field(default_factory=list)
    documents: list[RequiredDocument] = field(default_factory=list)
    capacities: list[Capacity] = field(default_factory=list)
    translations: list[ServiceTranslation] = field(default_factory=list)


@dataclass(frozen=True)
class _PlaceRow:
    id: uuid.UUID
    name: str
    district: str
    street: str
    postal_code: str


def build_demo(now: datetime, term_ids: Mapping[str, uuid.UUID] | None = None) -> DemoRows:
    """All directory rows of the demo. `term_ids` maps taxonomy codes to the installed ids."""
    rng = random.Random(DEMO_SEED)  # noqa: S311 - invented data, not secrets
    rows = DemoRows()
    terms = term_ids if term_ids is not None else _DefaultTermIds()
    phone_numbers = _PhoneNumbers(rng)
    occurrences: dict[str, int] = {}
    for org in ORGANIZATIONS:
        org_id = organization_id(org.key)
        rows.organizations.append(
            Organization(
                id=org_id,
                name=org.name,
                alternate_name=org.alternate_name,
                description=org.description,
                email=_org_email(org),
                website=_org_website(org),
                legal_status=org.legal_status,
                kind=org.kind,
                created_at=now - timedelta(days=rng.randint(400, 1500)),
                last_modified=now - timedelta(days=rng.randint(1, 200)),
            )
        )
        main_number = phone_numbers.next(org.city_phone)
        rows.phones.append(
            Phone(id=demo_id("phone", org.key), organization=org_id, number=main_number,
                  description="Zentrale" if not org.city_phone else "Servicetelefon")
        )
        places = [_add_place(rows, rng, org, index, now) for index in range(len(org.places))]
        seen: set[str] = set()
        for offer in org.offers:
            if offer.template in seen:
                raise ValueError(f"{org.key} places the template {offer.template} twice")
            seen.add(offer.template)
            occurrence = occurrences.get(offer.template, 0)
            occurrences[offer.template] = occurrence + 1
            _add_offer(rows, rng, org, offer, places, terms, main_number, occurrence, now)
    return rows


def _add_place(
    rows: DemoRows, rng: random.Random, org: OrgSpec, index: int, now: datetime
) -> _PlaceRow:
    place = org.places[index]
    district = DISTRICTS[place.district]
    street = place.street or f"{rng.choice(STREETS[place.district])} {rng.randint(1, 180)}"
    # Seeded by the address, so that one building shared by two organisations has one position.
    spot = random.Random(f"{street}|{place.district}")  # noqa: S311
    latitude = round(district.latitude + spot.uniform(-0.004, 0.004), 6)
    longitude = round(district.longitude + spot.uniform(-0.006, 0.006), 6)
    location_id = demo_id("location", org.key, str(index))
    if place.accessibility:
        access = place.accessibility
    elif place.wheelchair:
        access = rng.choice((
            "Stufenloser Zugang, Aufzug vorhanden.",
            "Barrierefreier Eingang an der Rückseite, barrierefreies WC.",
            "Erdgeschoss, ebenerdiger Zugang.",
        ))
    else:
        access = rng.choice(("Zugang nur über Treppen.", "Eingang mit drei Stufen, kein Aufzug."))
    rows.locations.append(
        Location(
            id=location_id,
            organization=organization_id(org.key),
            name=place.name,
            address_1=street,
            postal_code=district.postal_code,
            district=place.district,
            latitude=None if place.confidential else latitude,
            longitude=None if place.confidential else longitude,
            transportation="" if place.confidential else district.transit,
            accessibility_description=access,
            wheelchair_accessible=place.wheelchair,
            last_modified=now - timedelta(days=rng.randint(1, 300)),
        )
    )
    return _PlaceRow(location_id, place.name, place.district,
                     "" if place.confidential else street, district.postal_code)


def _add_offer(
    rows: DemoRows,
    rng: random.Random,
    org: OrgSpec,
    offer: Offer,
    places: list[_PlaceRow],
    terms: Mapping[str, uuid.UUID],
    main_number: str,
    occurrence: int,
    now: datetime,
) -> None:
    template = TEMPLATES[offer.template]
    service_id = demo_id("service", org.key, template.key)
    languages = list(dict.fromkeys(("de", *template.languages, *offer.languages,
                                    *org.languages)))
    main_place = places[offer.places[0]]
    fee = None if offer.no_fee else template.fee
    status, alert = STATUS.get((org.key, template.key), ("active", ""))
    alert = ALERTS.get((org.key, template.key), alert)
    assured = rng.random() < 0.8
    rows.services.append(
        Service(
            id=service_id,
            organization=organization_id(org.key),
            name=offer.name or template.name,
            description=compose.describe(
                rng, template, org, main_place.name, main_place.district, main_place.street,
                main_place.postal_code, languages, occurrence,
            ),
            url=f"{_org_website(org)}/angebote/{template.key}" if rng.random() < 0.6 else None,
            email=_service_email(org, template) if rng.random() < 0.7 else None,
            status=status,
            interpretation_services=compose.interpretation(template, languages),
            application_process=template.application,
            fees_description=(f"{fee.option}: {compose.euro(fee.amount)} {fee.description}"
                              if fee else "kostenlos"),
            free_of_charge=fee is None,
            eligibility_description=compose.eligibility(rng, template),
            minimum_age=template.min_age,
            maximum_age=template.max_age,
            wait_time=template.wait_time,
            alert=alert,
            assured_date=(now - timedelta(days=rng.randint(2, 240))).date() if assured else None,
            assurer_email=_org_email(org) if assured else None,
            created_at=now - timedelta(days=rng.randint(300, 1200)),
            last_modified=now - timedelta(days=rng.randint(0, 150)),
        )
    )
    for index in offer.places:
        rows.service_at_locations.append(
            ServiceAtLocation(id=demo_id("service_at_location", org.key, template.key,
                                         str(index)),
                              service=service_id, location=places[index].id)
        )
    for code in languages:
        rows.languages.append(
            ServiceLanguage(id=demo_id("language", org.key, template.key, code),
                            service=service_id, code=code,
                            note=compose.LANGUAGE_NOTES.get(code, ""))
        )
    codes = [*template.categories, *(TARGET_GROUP_PREFIX + g for g in template.groups)]
    for code in codes:
        rows.terms.append(
            ServiceTerm(id=demo_id("service_term", org.key, template.key, code),
                        service=service_id, term=terms[code])
        )
    if fee is not None:
        rows.cost_options.append(
            CostOption(id=demo_id("cost", org.key, template.key), service=service_id,
                       option=fee.option, amount=fee.amount, currency="EUR",
                       amount_description=fee.description, valid_from=date(now.year, 1, 1))
        )
    for number, document in enumerate(template.documents):
        rows.documents.append(
            RequiredDocument(id=demo_id("document", org.key, template.key, str(number)),
                             service=service_id, document=document)
        )
    if rng.random() < 0.5:
        extension = str(rng.randint(10, 89))
        rows.phones.append(
            Phone(id=demo_id("phone", org.key, template.key), service=service_id,
                  number=main_number, extension=extension,
                  description=rng.choice(("Durchwahl", "Sekretariat", "Terminvergabe")))
        )
    counselling = template.capacity is not None and template.capacity.unit == APPOINTMENTS
    if counselling or rng.random() < 0.3:
        name, local = compose.person(rng)
        rows.contacts.append(
            Contact(id=demo_id("contact", org.key, template.key), service=service_id,
                    name=name, title=rng.choice(("Beratung", "Koordination", "Ansprechperson")),
                    department=offer.name or template.name,
                    email=f"{local}@{_domain(org)}", phone=main_number)
        )
    if template.capacity:
        _add_capacity(rows, rng, org, template, service_id, now)
    for language, (name, description) in TRANSLATIONS.get(template.key, {}).items():
        rows.translations.append(
            ServiceTranslation(id=demo_id("translation", org.key, template.key, language),
                               service=service_id, language=language, name=name,
                               description=description)
        )


def _add_capacity(
    rows: DemoRows,
    rng: random.Random,
    org: OrgSpec,
    template: OfferTemplate,
    service_id: uuid.UUID,
    now: datetime,
) -> None:
    assert template.capacity is not None
    state = FORCED_CAPACITY.get((org.key, template.key)) or rng.choice(_RANDOM_STATES)
    maximum = template.capacity.maximum
    full = "full" in state
    available = 0 if full else rng.randint(1, max(1, maximum // 2))
    waitlist_open = state.endswith("waitlist")
    age = rng.randint(35, 140) if state.startswith("stale") else rng.randint(0, 12)
    staff = next((u for u in USERS if u.organization == org.key
                  and u.role == "provider_staff"), None)
    rows.capacities.append(
        Capacity(
            id=demo_id("capacity", org.key, template.key),
            service=service_id,
            unit=template.capacity.unit,
            maximum=maximum,
            available=available,
            waitlist_open=waitlist_open,
            description=compose.capacity_note(rng, template.capacity.unit, available,
                                              waitlist_open),
            updated=now - timedelta(days=age, hours=rng.randint(0, 9)),
            updated_by=user_id(staff.key) if staff else None,
            updated_by_name=staff.display_name if staff else "",
        )
    )


class _DefaultTermIds(dict[str, uuid.UUID]):
    """Term ids as the taxonomy installs them, for building rows without a database."""

    def __init__(self) -> None:
        super().__init__({code: term_id(code) for code in term_by_code()})

    def __missing__(self, code: str) -> uuid.UUID:
        raise KeyError(f"{code!r} is not a code of the Lotse taxonomies")


class _PhoneNumbers:
    """Distinct invented numbers in the Mülheim area code 0208."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def next(self, city: bool) -> str:
        while True:
            if city:
                number = f"0208 455-{self._rng.randint(1000, 9999)}"
            else:
                digits = f"{self._rng.randint(300000, 899999)}"
                number = f"0208 {digits[:2]} {digits[2:4]} {digits[4:]}"
            if number not in self._used:
                self._used.add(number)
                return number


def _domain(org: OrgSpec) -> str:
    return org.domain


def _org_email(org: OrgSpec) -> str:
    if org.domain == CITY_DOMAIN:
        return f"{org.key}@{org.domain}"
    return f"info@{org.domain}"


def _org_website(org: OrgSpec) -> str:
    if org.domain == CITY_DOMAIN:
        return f"https://www.{org.domain}/{org.key}"
    return f"https://www.{org.domain}"


def _service_email(org: OrgSpec, template: OfferTemplate) -> str:
    if template.capacity and template.capacity.unit == APPOINTMENTS:
        local = "beratung"
    elif template.capacity:
        local = "kurse"
    else:
        local = "kontakt"
    if org.domain == CITY_DOMAIN:
        return f"{org.key}.{local}@{org.domain}"
    return f"{local}@{org.domain}"
