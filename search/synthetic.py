"""Made-up but plausible German offers, for the search benchmark and load tests.

Deterministic for a given seed; no real organisation or person is described.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

from search.engine import OfferDocument, OfferLocation, OfferTranslation

# (category code, parent code, German name)
CATEGORIES = (
    ("language", None, "Sprache"),
    ("language-course", "language", "Sprachkurs"),
    ("integration-course", "language", "Integrationskurs"),
    ("counselling", None, "Beratung"),
    ("migration-counselling", "counselling", "Migrationsberatung"),
    ("debt-counselling", "counselling", "Schuldnerberatung"),
    ("family", None, "Familie"),
    ("childcare", "family", "Kinderbetreuung"),
    ("work", None, "Arbeit"),
    ("job-coaching", "work", "Bewerbungstraining"),
    ("health", None, "Gesundheit"),
    ("housing", None, "Wohnen"),
    ("leisure", None, "Freizeit"),
)
TARGET_GROUPS = (
    ("refugees", "Geflüchtete"),
    ("women", "Frauen"),
    ("youth", "Jugendliche"),
    ("families", "Familien"),
    ("seniors", "Senioren"),
    ("newcomers", "Neuzugewanderte"),
)
LANGUAGES = ("de", "en", "ar", "uk", "tr", "ru", "fa", "ti", "fr", "pl", "ro", "ku")
TOPICS = (
    "Deutschkurs",
    "Sprachcafé",
    "Integrationskurs",
    "Migrationsberatung",
    "Schuldnerberatung",
    "Familienberatung",
    "Hausaufgabenhilfe",
    "Bewerbungstraining",
    "Nähwerkstatt",
    "Frauenfrühstück",
    "Elterncafé",
    "Jugendtreff",
    "Fahrradwerkstatt",
    "Mietberatung",
    "Gesundheitssprechstunde",
    "Alphabetisierungskurs",
    "Computerkurs",
    "Spielgruppe",
    "Sozialberatung",
    "Übersetzungshilfe",
    "Begegnungscafé",
    "Schwimmkurs",
    "Nachhilfe",
)
QUALIFIERS = (
    "für Frauen",
    "für Jugendliche",
    "für Familien",
    "am Nachmittag",
    "mit Kinderbetreuung",
    "für Geflüchtete",
    "A1",
    "B1",
    "für Senioren",
    "im Stadtteil",
    "online",
    "am Wochenende",
)
PROVIDERS = (
    "Caritasverband",
    "Diakonisches Werk",
    "AWO Kreisverband",
    "DRK Ortsverein",
    "Volkshochschule",
    "Kommunales Integrationszentrum",
    "Flüchtlingshilfe e.V.",
    "Internationaler Bund",
    "Jugendmigrationsdienst",
    "Stadtteilbüro",
    "Evangelische Kirchengemeinde",
    "Moscheeverein",
)
CITIES = (  # name, latitude, longitude, districts
    ("Mülheim an der Ruhr", 51.4275, 6.8825, ("Altstadt", "Styrum", "Dümpten", "Heißen", "Saarn")),
    ("Essen", 51.4556, 7.0116, ("Altendorf", "Frohnhausen", "Katernberg", "Steele", "Kray")),
    ("Duisburg", 51.4344, 6.7623, ("Marxloh", "Hochfeld", "Meiderich", "Rheinhausen", "Neudorf")),
    ("Dortmund", 51.5136, 7.4653, ("Nordstadt", "Hörde", "Eving", "Scharnhorst", "Huckarde")),
    ("Köln", 50.9375, 6.9603, ("Kalk", "Mülheim", "Chorweiler", "Porz", "Ehrenfeld")),
    ("Bielefeld", 52.0302, 8.5325, ("Mitte", "Sennestadt", "Brackwede", "Baumheide", "Stieghorst")),
)
FILLER = (
    "Wir helfen bei Fragen rund um Aufenthalt, Arbeit, Wohnung und Schule",
    "Die Beratung ist vertraulich und kostenlos",
    "Bitte bringen Sie vorhandene Unterlagen mit",
    "Dolmetscher können bei Bedarf organisiert werden",
    "Kommen Sie gern vorbei oder vereinbaren Sie einen Termin",
    "Das Angebot richtet sich an alle, die neu in der Stadt sind, und an ihre Familien",
    "Die Räume sind gut mit Bus und Bahn erreichbar",
    "Kinder können mitgebracht werden",
)


def category_tree() -> dict[str, tuple[str | None, str]]:
    return {code: (parent, name) for code, parent, name in CATEGORIES}


def offers(count: int, seed: int = 7, start: date | None = None) -> Iterator[OfferDocument]:
    rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
    tree = category_tree()
    leaf_codes = [code for code, parent, _name in CATEGORIES if parent is not None]
    today = start or date(2026, 1, 5)
    for _ in range(count):
        topic = rng.choice(TOPICS)
        name = f"{topic} {rng.choice(QUALIFIERS)}"
        provider = f"{rng.choice(PROVIDERS)} {rng.randint(1, 400)}"
        code = rng.choice(leaf_codes)
        codes = [code]
        parent = tree[code][0]
        if parent:
            codes.append(parent)
        city, lat, lon, districts = rng.choice(CITIES)
        location_count = 1 if rng.random() < 0.85 else 2
        locations = []
        for _ in range(location_count):
            locations.append(
                OfferLocation(
                    name=provider,
                    address=f"{rng.choice(('Haupt', 'Kirch', 'Schul', 'Bahnhof'))}straße "
                    f"{rng.randint(1, 120)}",
                    city=city,
                    district=rng.choice(districts),
                    latitude=lat + rng.uniform(-0.06, 0.06),
                    longitude=lon + rng.uniform(-0.09, 0.09),
                    wheelchair_accessible=rng.random() < 0.4,
                )
            )
        groups = rng.sample(TARGET_GROUPS, rng.randint(0, 2))
        langs = ["de", *rng.sample(LANGUAGES[1:], rng.randint(0, 3))]
        counted = rng.random() < 0.7
        maximum = rng.randint(5, 25) if counted else None
        free = (
            rng.randint(0, maximum)
            if maximum is not None and rng.random() < 0.6
            else (0 if counted else None)
        )
        intervals = []
        first_hour = rng.choice((8, 9, 10, 13, 14, 16))
        for day in rng.sample(range(5), rng.randint(1, 4)):
            start_minute = day * 1440 + first_hour * 60 + rng.choice((0, 30))
            intervals.append((start_minute, start_minute + rng.choice((90, 120, 180, 240))))
        translations = []
        if rng.random() < 0.2:
            translations.append(OfferTranslation(language="en", name=f"{topic} (English)"))
        if rng.random() < 0.1:
            translations.append(OfferTranslation(language="uk", name="Консультація для українців"))
        if rng.random() < 0.1:
            translations.append(OfferTranslation(language="ar", name="استشارة للمهاجرين"))
        sentences = rng.sample(FILLER, 3)
        young = rng.random() < 0.2
        yield OfferDocument(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            name=name,
            description=f"{topic} {name}. " + ". ".join(sentences) + ".",
            translations=translations,
            organization_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            organization_name=provider,
            categories=codes,
            category_names=[tree[c][1] for c in codes],
            target_groups=[g[0] for g in groups],
            target_group_names=[g[1] for g in groups],
            languages=langs,
            districts=sorted({loc.district for loc in locations}),
            locations=locations,
            free_of_charge=rng.random() < 0.8,
            barrier_free=any(loc.wheelchair_accessible for loc in locations),
            minimum_age=rng.choice((None, 16, 18)) if not young else 12,
            maximum_age=27 if young else None,
            free_places=free,
            maximum_places=maximum,
            capacity_unit="Plätze" if counted else "",
            waitlist_open=counted and rng.random() < 0.5,
            capacity_confirmed=today - timedelta(days=rng.randint(0, 60)) if counted else None,
            next_start=today + timedelta(days=rng.randint(1, 90)) if rng.random() < 0.4 else None,
            open_intervals=intervals,
        )
