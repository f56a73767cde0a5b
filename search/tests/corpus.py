"""A small made-up directory of a German city, written for the search tests.

Each offer has a short key; `ID[key]` is its id. Times are minutes from Monday 00:00.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from search.engine import OfferDocument, OfferLocation, OfferTranslation

NAMESPACE = uuid.UUID("5c0e6f7a-3a1b-4c55-9d1e-2f0f3c9a7b10")
DISTRICTS = {
    "Altstadt": (51.4275, 6.8825),
    "Styrum": (51.4530, 6.8600),
    "Dümpten": (51.4520, 6.8950),
    "Heißen": (51.4250, 6.9200),
    "Saarn": (51.4040, 6.8750),
    "Broich": (51.4230, 6.8600),
}
CATEGORY_NAMES = {
    "counselling": "Beratung",
    "migration-counselling": "Migrationsberatung",
    "debt-counselling": "Schuldnerberatung",
    "language": "Sprache",
    "language-course": "Sprachkurs",
    "integration-course": "Integrationskurs",
    "family": "Familie",
    "childcare": "Kinderbetreuung",
    "work": "Arbeit",
    "health": "Gesundheit",
    "leisure": "Freizeit",
    "housing": "Wohnen",
}
PARENTS = {
    "migration-counselling": "counselling",
    "debt-counselling": "counselling",
    "language-course": "language",
    "integration-course": "language",
    "childcare": "family",
}
GROUP_NAMES = {
    "refugees": "Geflüchtete",
    "women": "Frauen",
    "youth": "Jugendliche",
    "families": "Familien",
    "seniors": "Senioren",
    "children": "Kinder",
}
MON, TUE, WED, THU, FRI, SAT = (day * 1440 for day in range(6))


def at(district: str, name: str = "", wheelchair: bool = False) -> OfferLocation:
    lat, lon = DISTRICTS[district]
    return OfferLocation(
        name=name or f"Haus {district}",
        address="Hauptstraße 1",
        city="Mülheim an der Ruhr",
        district=district,
        latitude=lat,
        longitude=lon,
        wheelchair_accessible=wheelchair,
    )


def hours(day: int, start_hour: float, end_hour: float) -> tuple[int, int]:
    return (day + round(start_hour * 60), day + round(end_hour * 60))


ID: dict[str, uuid.UUID] = {}


def offer(key: str, name: str, **fields: Any) -> OfferDocument:
    """An offer with test defaults; its id is remembered under `key` in `ID`."""
    category = fields.pop("category", "counselling")
    categories = [category] + ([PARENTS[category]] if category in PARENTS else [])
    groups = fields.pop("groups", [])
    locations = fields.pop("locations", [])
    defaults: dict[str, Any] = {
        "organization_name": "Caritasverband",
        "categories": categories,
        "category_names": [CATEGORY_NAMES[c] for c in categories],
        "target_groups": groups,
        "target_group_names": [GROUP_NAMES[g] for g in groups],
        "languages": ["de"],
        "locations": locations,
        "districts": sorted({loc.district for loc in locations}),
        "barrier_free": any(loc.wheelchair_accessible for loc in locations),
    }
    defaults.update(fields)
    ID[key] = uuid.uuid5(NAMESPACE, key)
    return OfferDocument(id=ID[key], name=name, **defaults)


OFFERS: list[OfferDocument] = [
    offer(
        "mbe",
        "Migrationsberatung für Erwachsene",
        category="migration-counselling",
        description="Beratung zu Aufenthalt, Sprachkursen, Arbeit und Wohnen für Zugewanderte.",
        languages=["de", "ar", "fa"],
        locations=[at("Altstadt", wheelchair=True)],
        open_intervals=[hours(MON, 9, 12), hours(THU, 14, 17)],
    ),
    offer(
        "debt",
        "Schuldnerberatung",
        category="debt-counselling",
        organization_name="Diakonisches Werk",
        description="Hilfe bei Schulden, Mahnungen und Inkasso.",
        locations=[at("Styrum")],
        free_places=0,
        maximum_places=10,
        waitlist_open=True,
        open_intervals=[hours(TUE, 9, 12)],
    ),
    offer(
        "dk-women",
        "Deutschkurs A1 für Frauen mit Kinderbetreuung",
        category="language-course",
        organization_name="Volkshochschule",
        groups=["women"],
        description="Sprachkurs am Vormittag, die Kinder werden im Nebenraum betreut.",
        locations=[at("Dümpten")],
        free_places=3,
        maximum_places=15,
        next_start=date(2026, 2, 2),
        minimum_age=18,
        open_intervals=[hours(MON, 9, 12), hours(WED, 9, 12)],
    ),
    offer(
        "dk-evening",
        "Deutschkurse am Abend (B1)",
        category="language-course",
        organization_name="Volkshochschule",
        description="Für Berufstätige, zweimal pro Woche.",
        locations=[at("Altstadt")],
        free_places=0,
        maximum_places=20,
        waitlist_open=False,
        free_of_charge=False,
        cost_description="120 Euro pro Kurs, Ermäßigung möglich",
        next_start=date(2026, 1, 12),
        minimum_age=16,
        open_intervals=[hours(TUE, 18, 20.5), hours(THU, 18, 20.5)],
    ),
    offer(
        "ik-alpha",
        "Integrationskurs mit Alphabetisierung",
        category="integration-course",
        organization_name="Volkshochschule",
        description="Lesen und Schreiben lernen, dazu Deutsch bis B1.",
        locations=[at("Heißen")],
        free_places=5,
        maximum_places=16,
        next_start=date(2026, 3, 1),
    ),
    offer(
        "cafe",
        "Sprachcafé International",
        category="language",
        organization_name="Stadtteilbüro Styrum",
        description="Treffpunkt für Geflüchtete und Nachbarn: Deutsch sprechen bei Kaffee.",
        translations=[
            OfferTranslation(language="uk", name="Мовне кафе"),
            OfferTranslation(language="ar", name="مقهى اللغة"),
        ],
        languages=["de", "uk", "ar"],
        locations=[at("Styrum", wheelchair=True)],
        open_intervals=[hours(FRI, 15, 17)],
    ),
    offer(
        "refugee-counselling",
        "Beratung für Flüchtlinge und Asylsuchende",
        groups=["refugees"],
        description="Asylverfahren, Duldung, Familiennachzug.",
        languages=["de", "ar", "ti"],
        locations=[at("Broich")],
    ),
    offer(
        "clothes",
        "Kleiderkammer",
        category="leisure",
        organization_name="Flüchtlingshilfe Saarn e.V.",
        description="Kleidung für alle, die sie brauchen.",
        locations=[at("Saarn")],
    ),
    offer(
        "jmd",
        "Jugendmigrationsdienst",
        category="migration-counselling",
        organization_name="Internationaler Bund",
        groups=["youth"],
        description="Begleitung junger Menschen zwischen 12 und 27 Jahren.",
        minimum_age=12,
        maximum_age=27,
        locations=[at("Altstadt")],
        languages=["de", "en", "tr"],
    ),
    offer(
        "parents-cafe",
        "Elterncafé im Familienzentrum Regenbogen",
        category="family",
        groups=["families"],
        description="Austausch für Eltern, während die Kleinen spielen.",
        locations=[at("Dümpten")],
    ),
    offer(
        "street-football",
        "Straßenfußball für Jugendliche",
        category="leisure",
        groups=["youth"],
        minimum_age=10,
        maximum_age=18,
        locations=[at("Styrum")],
    ),
    offer(
        "homework",
        "Hausaufgabenhilfe für Grundschulkinder",
        category="childcare",
        groups=["children"],
        minimum_age=6,
        maximum_age=10,
        locations=[at("Heißen")],
        free_places=2,
        maximum_places=12,
    ),
    offer(
        "applications",
        "Bewerbungstraining",
        category="work",
        organization_name="Jobcenter-Partner",
        description="Lebenslauf, Anschreiben und Vorstellungsgespräch üben.",
        locations=[at("Altstadt")],
    ),
    offer(
        "breakfast",
        "Frauenfrühstück",
        category="leisure",
        groups=["women"],
        description="Ein offenes Frühstück für Frauen aus aller Welt.",
        locations=[at("Saarn")],
    ),
    offer(
        "awo-social",
        "Sozialberatung der AWO",
        organization_name="AWO Kreisverband",
        description="Anträge, Bescheide, Leistungen.",
        locations=[at("Heißen")],
    ),
    offer(
        "rent",
        "Mietberatung",
        category="housing",
        description="Fragen zu Mietvertrag, Nebenkosten und Kaution.",
        locations=[at("Broich")],
    ),
    offer(
        "psych",
        "Psychosoziale Beratung für Geflüchtete",
        category="health",
        groups=["refugees"],
        languages=["de", "ar", "fa", "uk"],
        locations=[at("Altstadt")],
    ),
    offer(
        "kita",
        "Kita-Sprechstunde",
        category="childcare",
        description="Wie finde ich einen Platz in der Kindertagesstätte?",
        locations=[at("Dümpten")],
    ),
    offer(
        "swim",
        "Schwimmkurs für Frauen",
        category="leisure",
        groups=["women"],
        free_of_charge=False,
        locations=[at("Saarn")],
        free_places=8,
        maximum_places=10,
        next_start=date(2026, 1, 20),
    ),
    offer(
        "translation",
        "Übersetzungshilfe bei Behördengängen",
        description="Ehrenamtliche begleiten zu Ämtern und übersetzen.",
        languages=["de", "ar", "ru", "uk"],
        locations=[at("Altstadt")],
    ),
    offer(
        "sewing",
        "Nähwerkstatt",
        category="leisure",
        description="Nähen lernen und reparieren.",
        locations=[at("Styrum")],
    ),
    offer(
        "recognition",
        "Erstberatung Anerkennung ausländischer Berufsabschlüsse",
        category="work",
        locations=[at("Altstadt")],
    ),
    offer(
        "health-hours",
        "Gesundheitssprechstunde ohne Krankenversicherung",
        category="health",
        locations=[at("Heißen", wheelchair=True)],
        open_intervals=[hours(WED, 14, 16)],
    ),
    offer(
        "seniors-pc",
        "Computerkurs für Senioren",
        category="leisure",
        groups=["seniors"],
        minimum_age=60,
        locations=[at("Broich")],
        free_places=4,
        maximum_places=8,
        next_start=date(2026, 4, 15),
    ),
    offer(
        "online-dk",
        "Online-Deutschkurs",
        category="language-course",
        organization_name="Volkshochschule",
        description="Deutsch lernen von zu Hause, mit Videositzungen.",
        free_places=12,
        maximum_places=30,
        next_start=date(2026, 1, 26),
    ),
    offer(
        "bikes",
        "Fahrradwerkstatt",
        category="leisure",
        locations=[at("Broich")],
    ),
    offer(
        "agency",
        "Integrationsagentur",
        organization_name="Diakonisches Werk",
        locations=[at("Saarn")],
    ),
    offer(
        "toddlers",
        "Spielgruppe für Kleinkinder",
        category="childcare",
        groups=["children", "families"],
        minimum_age=1,
        maximum_age=3,
        locations=[at("Saarn")],
        free_places=0,
        maximum_places=8,
        waitlist_open=True,
    ),
    offer(
        "two-places",
        "Sprechstunde Migrationsdienst",
        category="migration-counselling",
        locations=[at("Heißen"), at("Styrum")],
        languages=["de", "ru"],
    ),
    # A family of offers for the order of match kinds on the word "werkstatt".
    offer("wood", "Werkstatt für Holz", category="leisure", locations=[at("Saarn")]),
    offer("open-shops", "Offene Werkstätten", category="leisure", locations=[at("Saarn")]),
    offer("shop-cafe", "Werkstattcafé", category="leisure", locations=[at("Saarn")]),
    offer("culture", "Werkstadt Kultur", category="leisure", locations=[at("Saarn")]),
]

KEY = {value: key for key, value in ID.items()}
