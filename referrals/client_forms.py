"""Reading the client and consent forms of the pages into the same inputs the API takes."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import msgspec
from litestar.datastructures import FormMultiDict

from clients.api import ConsentInput, PersonalData
from core.errors import Problem
from core.i18n import N_
from core.time import berlin_today

TEXT_FIELDS = ("given_name", "family_name", "phone", "email", "district")
LONG_FIELDS = ("notes", "health_notes")
# Languages offered as checkboxes; any other ISO 639 code can be typed in.
COMMON_LANGUAGES = (
    "de",
    "ar",
    "tr",
    "uk",
    "ru",
    "fa",
    "prs",
    "ps",
    "ku",
    "ti",
    "so",
    "en",
    "fr",
    "ro",
    "bg",
    "pl",
    "sq",
    "sr",
    "es",
    "it",
    "el",
    "ur",
    "vi",
    "am",
)
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _text(form: FormMultiDict, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _date(form: FormMultiDict, name: str, problems: list[Problem], label: str) -> date | None:
    raw = _text(form, name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(
            Problem(name, N_("%(field)s is not a date (YYYY-MM-DD)."), {"field": label})
        )
        return None


def personal_values(form: FormMultiDict) -> dict[str, Any]:
    """What was typed, to show the form again after a problem."""
    values: dict[str, Any] = {name: _text(form, name) for name in (*TEXT_FIELDS, *LONG_FIELDS)}
    values["birth_date"] = _text(form, "birth_date")
    values["languages"] = [v for v in form.getall("languages", []) if isinstance(v, str)]
    values["other_languages"] = _text(form, "other_languages")
    values["pseudonym"] = _text(form, "pseudonym")
    values["organization_id"] = _text(form, "organization_id")
    return values


def parse_personal(form: FormMultiDict) -> tuple[PersonalData | None, list[Problem]]:
    problems: list[Problem] = []
    values = personal_values(form)
    for name in TEXT_FIELDS:
        if len(values[name]) > 200:
            problems.append(Problem(name, N_("At most 200 characters, please.")))
    for name in LONG_FIELDS:
        if len(values[name]) > 5000:
            problems.append(Problem(name, N_("At most 5000 characters, please.")))
    if values["email"] and not _EMAIL_RE.match(values["email"]):
        problems.append(Problem("email", N_("This is not an e-mail address.")))
    birth = _date(form, "birth_date", problems, "Date of birth")
    if birth is not None and not date(1900, 1, 1) <= birth <= berlin_today():
        problems.append(Problem("birth_date", N_("The date of birth must lie in the past.")))
    typed = [c.lower() for c in re.split(r"[\s,;]+", values["other_languages"]) if c]
    languages = list(dict.fromkeys([*values["languages"], *typed]))
    wrong = [c for c in languages if not _LANGUAGE_RE.match(c)]
    if wrong:
        problems.append(
            Problem(
                "other_languages",
                N_("Use two- or three-letter language codes (e.g. ar, tr, prs): %(codes)s"),
                {"codes": ", ".join(wrong)},
            )
        )
    if problems:
        return None, problems
    data = PersonalData(
        **{name: values[name] for name in (*TEXT_FIELDS, *LONG_FIELDS)},
        birth_date=birth,
        languages=languages,
    )
    return data, []


def organization_choice(form: FormMultiDict) -> UUID | None:
    raw = _text(form, "organization_id")
    try:
        return UUID(raw) if raw else None
    except ValueError:
        return None


def consent_defaults() -> dict[str, Any]:
    today = berlin_today()
    return {
        "recipient_org_ids": [],
        "purpose": "referral",
        "data_categories": [],
        "special_categories": False,
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
        "evidence": "written",
        "evidence_note": "",
        "text_language": "de",
    }


def consent_values(form: Any) -> dict[str, Any]:
    """The consent form as typed (from a POST body or the query of the print preview)."""
    return {
        "recipient_org_ids": [v for v in form.getall("recipient_org_ids", []) if v],
        "purpose": _text(form, "purpose"),
        "data_categories": [v for v in form.getall("data_categories", []) if v],
        "special_categories": _text(form, "special_categories") in {"on", "true", "1"},
        "valid_from": _text(form, "valid_from"),
        "valid_until": _text(form, "valid_until"),
        "evidence": _text(form, "evidence"),
        "evidence_note": _text(form, "evidence_note"),
        "text_language": _text(form, "text_language") or "de",
    }


def parse_consent(form: Any) -> tuple[ConsentInput | None, list[Problem]]:
    problems: list[Problem] = []
    values = consent_values(form)
    recipients: list[UUID] = []
    for raw in values["recipient_org_ids"]:
        try:
            recipients.append(UUID(raw))
        except ValueError:
            problems.append(Problem("recipient_org_ids", N_("Choose organisations from the list.")))
    valid_from = _date(form, "valid_from", problems, "Valid from")
    valid_until = _date(form, "valid_until", problems, "Valid until")
    if valid_from is None and not any(p.field == "valid_from" for p in problems):
        problems.append(Problem("valid_from", N_("Enter the first day the consent is valid.")))
    if valid_until is None and not any(p.field == "valid_until" for p in problems):
        problems.append(Problem("valid_until", N_("Enter the last day the consent is valid.")))
    if len(values["evidence_note"]) > 255:
        problems.append(Problem("evidence_note", N_("At most 255 characters, please.")))
    if problems or valid_from is None or valid_until is None:
        return None, problems
    try:
        data = ConsentInput(
            recipient_org_ids=recipients,
            purpose=values["purpose"],
            data_categories=values["data_categories"],
            special_categories=values["special_categories"],
            valid_from=valid_from,
            valid_until=valid_until,
            evidence=values["evidence"],
            evidence_note=values["evidence_note"],
            text_language=values["text_language"][:20],
        )
    except msgspec.ValidationError:
        return None, [Problem("data_categories", N_("Please check your choices."))]
    return data, []
