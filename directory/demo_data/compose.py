"""Composes varied German texts for the demo offers from templates and building blocks."""

from __future__ import annotations

import random
from decimal import Decimal

from directory.demo_data.places import CITY
from directory.demo_data.specs import APPOINTMENTS, PLACES, OfferTemplate, OrgSpec

LANGUAGE_NAMES = {
    "de": "Deutsch", "en": "Englisch", "ar": "Arabisch", "uk": "Ukrainisch", "ru": "Russisch",
    "tr": "Türkisch", "fa": "Farsi", "prs": "Dari", "ps": "Paschtu", "kmr": "Kurmandschi",
    "ti": "Tigrinya", "ro": "Rumänisch", "bg": "Bulgarisch", "pl": "Polnisch",
    "fr": "Französisch", "so": "Somali",
}

# Notes for codes a reader may not know (stored with the offer's language).
LANGUAGE_NOTES = {"prs": "Dari", "kmr": "Kurmandschi (Kurdisch)", "ps": "Paschtu",
                  "ti": "Tigrinya", "so": "Somali"}

_GROUP_PHRASES = {
    "gefluechtete": "Geflüchtete", "neuzugewanderte": "Neuzugewanderte",
    "eu-buergerinnen": "Zugewanderte aus EU-Staaten", "frauen": "Frauen", "maedchen": "Mädchen",
    "kinder": "Kinder", "jugendliche": "Jugendliche", "familien": "Familien",
    "senioren": "ältere Menschen", "studierende": "Studierende",
    "behinderung": "Menschen mit Behinderung", "fachkraefte": "zugewanderte Fachkräfte",
    "lsbtiq": "LSBTIQ*", "ehrenamtliche": "Ehrenamtliche",
}

_PLACE_SENTENCES = (
    "Ort: {place}, {street}, {postal} {city}.",
    "Adresse: {place}, {street} ({district}).",
    "Sie finden uns in {district}, {street}.",
    "Standort: {place} in {district}.",
    "Das Angebot findet im Stadtteil {district} statt.",
)
_LANGUAGE_SENTENCES = (
    "Wir sprechen auch {languages}.",
    "Verständigung ist auch auf {languages} möglich.",
    "Im Team werden außerdem {languages} gesprochen.",
    "Beratung und Infos gibt es auch auf {languages}.",
)
_CLOSERS = {
    APPOINTMENTS: (
        "Rufen Sie gern an, wenn Sie unsicher sind, ob wir die richtige Stelle sind.",
        "In dringenden Fällen sind auch kurzfristige Termine möglich.",
        "Wir nehmen uns Zeit für Ihr Anliegen.",
        "Bringen Sie zum ersten Termin alle Briefe mit, um die es geht.",
        "",
    ),
    PLACES: (
        "Ein späterer Einstieg ist nach Absprache möglich.",
        "Bitte melden Sie sich rechtzeitig an, die Plätze sind begrenzt.",
        "Fragen Sie nach dem nächsten Starttermin.",
        "Wer auf der Warteliste steht, wird informiert, sobald ein Platz frei wird.",
        "",
    ),
    "": (
        "Wir freuen uns auf Sie.",
        "Bei Fragen rufen Sie uns gern an.",
        "Aktuelle Zeiten stehen auf unserer Website.",
        "",
    ),
}
_ORG_SENTENCES = (
    "Anbieter: {org}.",
    "Träger: {org}.",
    "",
    "",
)

FIRST_NAMES = (
    "Anna", "Lena", "Sarah", "Julia", "Katharina", "Miriam", "Aylin", "Zeynep", "Leyla",
    "Nadia", "Olena", "Iryna", "Maria", "Ewa", "Amira", "Thomas", "Michael", "Stefan", "Jan",
    "Daniel", "Ahmad", "Yusuf", "Ali", "Omid", "Dmytro", "Murat", "Kofi", "Tesfay", "Luca",
    "Bogdan", "Christina", "Sevgi", "Hanna", "Samir",
)
LAST_NAMES = (
    "Schmidt", "Becker", "Hoffmann", "Schulz", "Wagner", "Krause", "Neumann", "Kaya", "Demir",
    "Öztürk", "Nasser", "Karimi", "Ahmadi", "Kowalska", "Popescu", "Ivanova", "Shevchenko",
    "Bondarenko", "Mensah", "Tesfaye", "Rossi", "Lange", "Hartmann", "Brandt", "Jansen",
    "Kühn", "Aksoy", "Haddad", "Berisha", "Wolff",
)


def euro(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",") + " Euro"


def language_list(codes: list[str]) -> str:
    names = [LANGUAGE_NAMES.get(code, code) for code in codes]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " und " + names[-1]


def describe(
    rng: random.Random,
    template: OfferTemplate,
    org: OrgSpec,
    place: str,
    district: str,
    street: str,
    postal_code: str,
    languages: list[str],
    occurrence: int,
) -> str:
    """A description in the voice of the provider, different from offer to offer.

    `occurrence` counts earlier offers of the same template, so that they open differently.
    """
    parts = [template.leads[occurrence % len(template.leads)]]
    details = template.details
    if details:
        count = min(len(details), rng.choice((1, 2, 2, 3)))
        parts += [details[i] for i in sorted(rng.sample(range(len(details)), count))]
    other = [code for code in languages if code != "de"]
    if other:
        shown = other if len(other) <= 4 else other[:4]
        parts.append(rng.choice(_LANGUAGE_SENTENCES).format(languages=language_list(shown)))
    if street:
        parts.append(
            rng.choice(_PLACE_SENTENCES).format(
                place=place, district=district, street=street, postal=postal_code, city=CITY
            )
        )
    parts.append(rng.choice(_ORG_SENTENCES).format(org=org.alternate_name or org.name))
    unit = template.capacity.unit if template.capacity else ""
    parts.append(rng.choice(_CLOSERS[unit]))
    return " ".join(part for part in parts if part)


def eligibility(rng: random.Random, template: OfferTemplate) -> str:
    if template.eligibility:
        return template.eligibility
    ages = _age_text(template.min_age, template.max_age)
    # Ages belong to the people the offer is for; their families come along at any age.
    families = "familien" in template.groups
    others = [_GROUP_PHRASES[g] for g in template.groups if g != "familien"][:2]
    if others:
        who = "Für " + " und ".join(others) + ages + (" und ihre Familien" if families else "")
    elif families:
        who = "Für Familien"
    else:
        who = "Offen für alle Interessierten" + ages
    tail = rng.choice(("", "", " mit Wohnsitz in Mülheim", " aus Mülheim und Umgebung"))
    return f"{who}{tail}."


def _age_text(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f" von {minimum} bis {maximum} Jahren"
    if minimum is not None:
        return f" ab {minimum} Jahren"
    if maximum is not None:
        return f" bis {maximum} Jahre"
    return ""


def interpretation(template: OfferTemplate, languages: list[str]) -> str:
    if template.interpretation:
        return template.interpretation
    other = [code for code in languages if code != "de"]
    if not other:
        return ""
    return f"Ohne Dolmetschende möglich auf {language_list(other)}."


def person(rng: random.Random) -> tuple[str, str]:
    """A fictional contact person: (display name, e-mail local part)."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    local = f"{first}.{last}".lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        local = local.replace(umlaut, plain)
    return f"{first} {last}", local


def capacity_note(rng: random.Random, unit: str, available: int, waitlist_open: bool) -> str:
    if available == 0 and waitlist_open:
        return rng.choice((
            "Derzeit ausgebucht; Aufnahme auf die Warteliste möglich.",
            "Alle Plätze belegt – die Warteliste ist offen.",
        ))
    if available == 0:
        return rng.choice((
            "Derzeit keine freien Plätze und keine Warteliste.",
            "Ausgebucht; bitte in einigen Wochen erneut nachfragen.",
        ))
    if unit == APPOINTMENTS:
        return rng.choice((
            "Freie Termine in dieser Woche.",
            "Erstgespräche kurzfristig möglich.",
            "",
        ))
    return rng.choice((
        "Einstieg in den laufenden Kurs möglich.",
        "Nächster Start in etwa vier Wochen.",
        "Plätze frei.",
        "",
    ))
