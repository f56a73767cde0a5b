"""The vocabulary of a consent: data categories, purposes and how a consent was given.

Shared by the client record (which fields belong to which category), the consent form, the
printable consent and the referral exchange (which categories a referral discloses).
"""

from __future__ import annotations

from core.i18n import N_

# Data category codes, shared with referrals and the consent form.
IDENTITY = "identity"
BIRTH_DATE = "birth_date"
CONTACT = "contact"
LANGUAGES = "languages"
DISTRICT = "district"
NOTES = "notes"
HEALTH = "health"

CATEGORIES: tuple[str, ...] = (IDENTITY, BIRTH_DATE, CONTACT, LANGUAGES, DISTRICT, NOTES, HEALTH)
SPECIAL_CATEGORIES: frozenset[str] = frozenset({HEALTH})

# Purposes a consent can be given for.
PURPOSE_REFERRAL = "referral"
PURPOSE_COORDINATION = "coordination"
PURPOSES: tuple[str, ...] = (PURPOSE_REFERRAL, PURPOSE_COORDINATION)

# How the consent was given; a verbal consent names its witness in the evidence note.
EVIDENCE_WRITTEN = "written"
EVIDENCE_ELECTRONIC = "electronic"
EVIDENCE_VERBAL_WITNESSED = "verbal_witnessed"
EVIDENCE_KINDS: tuple[str, ...] = (EVIDENCE_WRITTEN, EVIDENCE_ELECTRONIC, EVIDENCE_VERBAL_WITNESSED)

# Interface labels (gettext msgids); the printable consent has its own wording per language.
CATEGORY_LABELS: dict[str, str] = {
    IDENTITY: N_("Name"),
    BIRTH_DATE: N_("Date of birth"),
    CONTACT: N_("Contact details (phone, e-mail)"),
    LANGUAGES: N_("Languages"),
    DISTRICT: N_("District"),
    NOTES: N_("Case notes"),
    HEALTH: N_("Health (special category)"),
}
PURPOSE_LABELS: dict[str, str] = {
    PURPOSE_REFERRAL: N_("Referral to an offer"),
    PURPOSE_COORDINATION: N_("Coordination of support between organisations"),
}
EVIDENCE_LABELS: dict[str, str] = {
    EVIDENCE_WRITTEN: N_("In writing (signed form)"),
    EVIDENCE_ELECTRONIC: N_("Electronically"),
    EVIDENCE_VERBAL_WITNESSED: N_("Verbally, with a witness"),
}
