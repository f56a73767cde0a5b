"""Wording of the printable consent: German, Easy German (Leichte Sprache) and English.

These are documents the client reads and signs, so each variant is fixed text in its own
language, independent of the language of the user interface.
"""

from __future__ import annotations

from dataclasses import dataclass

from clients.api import (
    BIRTH_DATE,
    CONTACT,
    DISTRICT,
    EVIDENCE_ELECTRONIC,
    EVIDENCE_VERBAL_WITNESSED,
    EVIDENCE_WRITTEN,
    HEALTH,
    IDENTITY,
    LANGUAGES,
    NOTES,
    PURPOSE_COORDINATION,
    PURPOSE_REFERRAL,
)


@dataclass(frozen=True)
class Variant:
    code: str
    name: str
    html_lang: str
    template: str
    categories: dict[str, str]
    purposes: dict[str, str]
    evidence: dict[str, str]


GERMAN = Variant(
    code="de",
    name="Deutsch",
    html_lang="de",
    template="referrals/consent_text_de.html",
    categories={
        IDENTITY: "Vor- und Nachname",
        BIRTH_DATE: "Geburtsdatum",
        CONTACT: "Kontaktdaten (Telefonnummer, E-Mail-Adresse)",
        LANGUAGES: "Sprachen, die ich spreche",
        DISTRICT: "Stadtteil, in dem ich wohne",
        NOTES: "Hinweise meines Fallmanagements zu meinem Anliegen",
        HEALTH: "Angaben zu meiner Gesundheit",
    },
    purposes={
        PURPOSE_REFERRAL: "damit ich an ein passendes Angebot vermittelt werden kann",
        PURPOSE_COORDINATION: "damit die beteiligten Stellen meine Unterstützung abstimmen können",
    },
    evidence={
        EVIDENCE_WRITTEN: "schriftlich",
        EVIDENCE_ELECTRONIC: "elektronisch",
        EVIDENCE_VERBAL_WITNESSED: "mündlich, mit Zeugin oder Zeuge",
    },
)

EASY_GERMAN = Variant(
    code="de-simple",
    name="Leichte Sprache",
    html_lang="de",
    template="referrals/consent_text_de_simple.html",
    categories={
        IDENTITY: "Mein Name",
        BIRTH_DATE: "Mein Geburts-Tag",
        CONTACT: "Meine Telefon-Nummer und meine E-Mail-Adresse",
        LANGUAGES: "Welche Sprachen ich spreche",
        DISTRICT: "In welchem Stadt-Teil ich wohne",
        NOTES: "Was meine Beraterin oder mein Berater über meine Frage aufgeschrieben hat",
        HEALTH: "Wie es meiner Gesundheit geht",
    },
    purposes={
        PURPOSE_REFERRAL: "Damit ich ein passendes Angebot bekomme.",
        PURPOSE_COORDINATION: "Damit die Stellen gut zusammen-arbeiten und mir helfen können.",
    },
    evidence={
        EVIDENCE_WRITTEN: "mit Unterschrift",
        EVIDENCE_ELECTRONIC: "am Computer",
        EVIDENCE_VERBAL_WITNESSED: "gesprochen, eine andere Person hat zugehört",
    },
)

ENGLISH = Variant(
    code="en",
    name="English",
    html_lang="en",
    template="referrals/consent_text_en.html",
    categories={
        IDENTITY: "First and last name",
        BIRTH_DATE: "Date of birth",
        CONTACT: "Contact details (phone number, e-mail address)",
        LANGUAGES: "Languages I speak",
        DISTRICT: "The district I live in",
        NOTES: "Notes of my case manager about my request",
        HEALTH: "Information about my health",
    },
    purposes={
        PURPOSE_REFERRAL: "so that I can be referred to a suitable offer",
        PURPOSE_COORDINATION: "so that the organisations involved can coordinate my support",
    },
    evidence={
        EVIDENCE_WRITTEN: "in writing",
        EVIDENCE_ELECTRONIC: "electronically",
        EVIDENCE_VERBAL_WITNESSED: "verbally, with a witness",
    },
)

VARIANTS: dict[str, Variant] = {v.code: v for v in (GERMAN, EASY_GERMAN, ENGLISH)}


def variant(code: str | None) -> Variant:
    return VARIANTS.get(code or "", GERMAN)
