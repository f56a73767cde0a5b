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
# (town, latitude, longitude, weight): offers are spread over NRW roughly by population.
TOWNS = (
    ("Köln", 50.9375, 6.9603, 10),
    ("Düsseldorf", 51.2277, 6.7735, 6),
    ("Dortmund", 51.5136, 7.4653, 6),
    ("Essen", 51.4556, 7.0116, 6),
    ("Duisburg", 51.4344, 6.7623, 5),
    ("Bochum", 51.4818, 7.2162, 4),
    ("Wuppertal", 51.2562, 7.1508, 4),
    ("Bielefeld", 52.0302, 8.5325, 3),
    ("Bonn", 50.7374, 7.0982, 3),
    ("Münster", 51.9607, 7.6261, 3),
    ("Mönchengladbach", 51.1805, 6.4428, 3),
    ("Gelsenkirchen", 51.5177, 7.0857, 3),
    ("Aachen", 50.7753, 6.0839, 3),
    ("Krefeld", 51.3388, 6.5853, 2),
    ("Oberhausen", 51.4963, 6.8638, 2),
    ("Hagen", 51.3671, 7.4633, 2),
    ("Hamm", 51.6739, 7.8150, 2),
    ("Mülheim an der Ruhr", 51.4275, 6.8825, 2),
    ("Leverkusen", 51.0459, 7.0192, 2),
    ("Solingen", 51.1652, 7.0671, 2),
    ("Herne", 51.5369, 7.2009, 2),
    ("Neuss", 51.2042, 6.6879, 2),
    ("Paderborn", 51.7189, 8.7575, 2),
    ("Bottrop", 51.5247, 6.9228, 1),
    ("Recklinghausen", 51.6141, 7.1979, 1),
    ("Remscheid", 51.1787, 7.1897, 1),
    ("Bergisch Gladbach", 50.9918, 7.1361, 1),
    ("Moers", 51.4516, 6.6408, 1),
    ("Siegen", 50.8748, 8.0243, 1),
    ("Gütersloh", 51.9032, 8.3858, 1),
    ("Witten", 51.4437, 7.3528, 1),
    ("Iserlohn", 51.3759, 7.6959, 1),
    ("Düren", 50.8047, 6.4924, 1),
    ("Marl", 51.6566, 7.0901, 1),
    ("Lünen", 51.6162, 7.5287, 1),
    ("Velbert", 51.3397, 7.0434, 1),
    ("Minden", 52.2898, 8.9167, 1),
)
DISTRICT_NAMES = (
    "Mitte",
    "Nord",
    "Süd",
    "Ost",
    "West",
    "Altstadt",
    "Innenstadt",
    "Neustadt",
    "Styrum",
    "Heißen",
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


# Parts of made-up compounds, so descriptions have a vocabulary of realistic size.
HEADS = (
    "Sprach",
    "Eltern",
    "Kinder",
    "Frauen",
    "Männer",
    "Jugend",
    "Familien",
    "Senioren",
    "Stadtteil",
    "Nachbarschafts",
    "Bildungs",
    "Berufs",
    "Wohnungs",
    "Gesundheits",
    "Kultur",
    "Sport",
    "Musik",
    "Garten",
    "Koch",
    "Näh",
    "Lese",
    "Schreib",
    "Computer",
    "Rechts",
    "Sozial",
    "Schul",
    "Ausbildungs",
    "Arbeits",
    "Behörden",
    "Freizeit",
    "Begegnungs",
    "Integrations",
    "Willkommens",
    "Beratungs",
)
TAILS = (
    "kurs",
    "gruppe",
    "treff",
    "café",
    "beratung",
    "hilfe",
    "werkstatt",
    "projekt",
    "angebot",
    "sprechstunde",
    "begleitung",
    "training",
    "runde",
    "frühstück",
    "nachmittag",
    "abend",
    "patenschaft",
    "lotsen",
    "kreis",
    "zentrum",
    "büro",
    "dienst",
    "stelle",
    "netzwerk",
    "forum",
)
VERBS = (
    "unterstützen",
    "begleiten",
    "informieren",
    "vermitteln",
    "organisieren",
    "erklären",
    "übersetzen",
    "fördern",
    "stärken",
    "beraten",
    "treffen",
    "lernen",
    "üben",
    "kochen",
    "spielen",
)


def category_tree() -> dict[str, tuple[str | None, str]]:
    return {code: (parent, name) for code, parent, name in CATEGORIES}


def offers(count: int, seed: int = 7, start: date | None = None) -> Iterator[OfferDocument]:
    rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
    tree = category_tree()
    leaf_codes = [code for code, parent, _name in CATEGORIES if parent is not None]
    today = start or date(2026, 1, 5)
    weights = [town[3] for town in TOWNS]
    for _ in range(count):
        topic = rng.choice(TOPICS)
        name = f"{topic} {rng.choice(QUALIFIERS)}"
        provider = f"{rng.choice(PROVIDERS)} {rng.randint(1, 400)}"
        code = rng.choice(leaf_codes)
        codes = [code]
        parent = tree[code][0]
        if parent:
            codes.append(parent)
        city, lat, lon, _weight = rng.choices(TOWNS, weights=weights)[0]
        location_count = 1 if rng.random() < 0.85 else 2
        locations = []
        for _ in range(location_count):
            locations.append(
                OfferLocation(
                    name=provider,
                    address=f"{rng.choice(('Haupt', 'Kirch', 'Schul', 'Bahnhof'))}straße "
                    f"{rng.randint(1, 120)}",
                    city=city,
                    district=f"{city}-{rng.choice(DISTRICT_NAMES)}",
                    latitude=lat + rng.gauss(0, 0.025),
                    longitude=lon + rng.gauss(0, 0.04),
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
        made_up = [rng.choice(HEADS) + rng.choice(TAILS) for _ in range(4)]
        sentences.append(
            f"Unser {made_up[0]} und das {made_up[1]} {rng.choice(VERBS)} Menschen aus "
            f"{rng.randint(2, 60)} Ländern, dazu {made_up[2]} und {made_up[3]}"
        )
        young = rng.random() < 0.2
        yield OfferDocument(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            name=name,
            description=f"{name}. " + ". ".join(sentences) + ".",
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
