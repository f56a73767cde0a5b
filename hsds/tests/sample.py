"""A small network with every field the HSDS mapping touches filled in (written through tables)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal

from calendars.tables import Schedule, ScheduleException
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
    Taxonomy,
    TaxonomyTerm,
)

STAMP = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)


def sid(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"lotse-test:{name}")


async def make_taxonomy() -> dict[str, uuid.UUID]:
    categories, groups = sid("tax:categories"), sid("tax:groups")
    await Taxonomy.insert(
        Taxonomy(
            id=categories,
            name="Lotse-Kategorien",
            description="Kategorien",
            uri="https://lotse.example/taxonomy",
            version="1",
        ),
        Taxonomy(id=groups, name="Zielgruppen", description=""),
    )
    terms = {
        "sprache": TaxonomyTerm(
            id=sid("t:sprache"),
            taxonomy=categories,
            code="sprache",
            name="Sprache",
            name_en="Language",
            description="Kurse",
        ),
        "sprache.integrationskurs": TaxonomyTerm(
            id=sid("t:ik"),
            taxonomy=categories,
            parent=sid("t:sprache"),
            code="sprache.integrationskurs",
            name="Integrationskurs",
            name_en="Integration course",
        ),
        "zielgruppe.frauen": TaxonomyTerm(
            id=sid("t:frauen"), taxonomy=groups, code="zielgruppe.frauen", name="Frauen"
        ),
    }
    await TaxonomyTerm.insert(terms["sprache"])
    await TaxonomyTerm.insert(*[t for code, t in terms.items() if code != "sprache"])
    return {code: term.id for code, term in terms.items()}


async def make_network(with_taxonomy: bool = True) -> dict[str, uuid.UUID]:
    """Two organisations, three locations and three offers; returns their ids by name."""
    terms = await make_taxonomy() if with_taxonomy else {}
    caritas, vhs = sid("org:caritas"), sid("org:vhs")
    await Organization.insert(
        Organization(
            id=caritas,
            name="Caritasverband Mülheim",
            alternate_name="Caritas",
            description="Wohlfahrtsverband",
            email="info@caritas.example",
            website="www.caritas.example",
            legal_status="e.V.",
            kind="welfare",
            created_at=STAMP,
            last_modified=STAMP,
        ),
        Organization(
            id=vhs,
            name="Volkshochschule",
            description="",
            kind="education",
            created_at=STAMP,
            last_modified=STAMP,
        ),
    )
    office, school, online = sid("loc:office"), sid("loc:school"), sid("loc:online")
    await Location.insert(
        Location(
            id=office,
            organization=caritas,
            name="Beratungsstelle Styrum",
            description="2. Etage",
            address_1="Hauptstraße 1",
            postal_code="45476",
            city="Mülheim an der Ruhr",
            district="Styrum",
            latitude=51.44,
            longitude=6.86,
            transportation="Bus 122",
            accessibility_description="Aufzug vorhanden",
            wheelchair_accessible=True,
            last_modified=STAMP,
        ),
        Location(
            id=school,
            organization=vhs,
            name="VHS im Medienhaus",
            address_1="Synagogenplatz 1",
            postal_code="45468",
            district="Altstadt I",
            last_modified=STAMP,
        ),
        Location(
            id=online,
            organization=vhs,
            name="Online",
            location_type="virtual",
            address_1="",
            postal_code="",
            city="",
            last_modified=STAMP,
        ),
    )
    advice, course, cafe = sid("svc:advice"), sid("svc:course"), sid("svc:cafe")
    await Service.insert(
        Service(
            id=advice,
            organization=caritas,
            name="Migrationsberatung für Erwachsene",
            alternate_name="MBE",
            description="Beratung zu allen Fragen",
            url="https://caritas.example/mbe",
            email="mbe@caritas.example",
            interpretation_services="Arabisch, Türkisch",
            application_process="Anrufen",
            eligibility_description="Ab 27 Jahren",
            minimum_age=27,
            wait_time="1 Woche",
            alert="Am 3. Oktober geschlossen",
            assured_date=date(2026, 1, 15),
            assurer_email="qs@caritas.example",
            free_of_charge=True,
            created_at=STAMP,
            last_modified=STAMP,
        ),
        Service(
            id=course,
            organization=vhs,
            name="Integrationskurs B1",
            description="600 Stunden",
            fees_description="Kostenbeitrag 2,29 € je Stunde",
            free_of_charge=False,
            minimum_age=16,
            maximum_age=99,
            status="active",
            created_at=STAMP,
            last_modified=STAMP,
        ),
        Service(
            id=cafe,
            organization=vhs,
            name="Sprachcafé",
            status="temporarily closed",
            created_at=STAMP,
            last_modified=STAMP,
        ),
    )
    await ServiceAtLocation.insert(
        ServiceAtLocation(
            id=sid("sal:advice"),
            service=advice,
            location=office,
            description="Dienstags und donnerstags",
        ),
        ServiceAtLocation(id=sid("sal:course"), service=course, location=school),
        ServiceAtLocation(id=sid("sal:course-online"), service=course, location=online),
    )
    await Phone.insert(
        Phone(id=sid("ph:org"), organization=caritas, number="0208 30008-0", type="voice"),
        Phone(
            id=sid("ph:svc"),
            service=advice,
            number="0208 30008-12",
            extension="12",
            description="Sekretariat",
        ),
        Phone(id=sid("ph:loc"), location=office, number="0208 123", extension="3a", type="fax"),
    )
    await Contact.insert(
        Contact(
            id=sid("c:svc"),
            service=advice,
            name="Aylin Demir",
            title="Beraterin",
            department="Migrationsdienst",
            email="a.demir@caritas.example",
            phone="0208 30008-14",
        ),
        Contact(id=sid("c:org"), organization=vhs, name="Sekretariat"),
    )
    await ServiceLanguage.insert(
        ServiceLanguage(id=sid("l:de"), service=advice, code="de"),
        ServiceLanguage(id=sid("l:ar"), service=advice, code="ar", note="dienstags"),
        ServiceLanguage(id=sid("l:ti"), service=course, code="ti"),
    )
    await CostOption.insert(
        CostOption(
            id=sid("co:course"),
            service=course,
            option="Selbstzahler",
            amount=Decimal("2.29"),
            currency="EUR",
            amount_description="je Stunde",
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
        ),
    )
    await RequiredDocument.insert(
        RequiredDocument(
            id=sid("rd:course"),
            service=course,
            document="Berechtigungsschein",
            uri="https://bamf.example/schein",
        ),
    )
    await Capacity.insert(
        Capacity(
            id=sid("cap:advice"),
            service=advice,
            unit="Termine pro Woche",
            maximum=12,
            available=3,
            waitlist_open=True,
            description="Erstberatung",
            updated=STAMP,
        ),
        Capacity(
            id=sid("cap:course"),
            service=course,
            unit="Plätze",
            maximum=20,
            available=0,
            waitlist_open=False,
            updated=STAMP,
        ),
    )
    await ServiceTranslation.insert(
        ServiceTranslation(
            id=sid("tr:advice:en"),
            service=advice,
            language="en",
            name="Migration counselling for adults",
            description="Advice",
        ),
    )
    if terms:
        await ServiceTerm.insert(
            ServiceTerm(id=sid("st:advice"), service=advice, term=terms["zielgruppe.frauen"]),
            ServiceTerm(
                id=sid("st:course"), service=course, term=terms["sprache.integrationskurs"]
            ),
        )
    await Schedule.insert(
        Schedule(
            id=sid("sch:advice"),
            service=advice,
            freq="WEEKLY",
            byday="TU,TH",
            opens_at=time(9),
            closes_at=time(12),
            description="Offene Sprechstunde",
        ),
        Schedule(
            id=sid("sch:course"),
            service_at_location=sid("sal:course"),
            kind="course",
            freq="WEEKLY",
            byday="MO,WE",
            dtstart=date(2026, 9, 7),
            until=date(2027, 2, 24),
            opens_at=time(18),
            closes_at=time(20, 15),
        ),
        Schedule(
            id=sid("sch:office"),
            location=office,
            freq="WEEKLY",
            byday="MO,TU,WE,TH,FR",
            opens_at=time(8),
            closes_at=time(16),
        ),
    )
    await ScheduleException.insert(
        ScheduleException(
            id=sid("ex:advice"),
            service=advice,
            kind="closed",
            starts_on=date(2026, 12, 24),
            ends_on=date(2027, 1, 1),
            description="Weihnachten",
        ),
    )
    return {
        "caritas": caritas,
        "vhs": vhs,
        "advice": advice,
        "course": course,
        "cafe": cafe,
        "office": office,
        "school": school,
        "online": online,
        **terms,
    }
