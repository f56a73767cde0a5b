"""Shared pieces of the referral pages: translated labels, error texts and form parsing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from babel.support import NullTranslations
from litestar import Request
from litestar.exceptions import HTTPException, ValidationException

from clients.api import ERASED_TEXT
from core.i18n import gettext_for
from referrals.notifications import (
    NEED_LABELS,
    REASON_LABELS,
    STATE_LABELS,
    URGENCY_LABELS,
    WAIT_LABELS,
)


def _(message: str) -> str:
    return message


CATEGORY_LABELS: dict[str, str] = {
    "identity": _("name"),
    "birth_date": _("date of birth (shown as age band)"),
    "contact": _("contact details"),
    "languages": _("languages"),
    "district": _("district"),
    "notes": _("notes"),
    "health": _("health (special category)"),
}

# Messages for the refusals a person can run into on the pages, by error code.
ERROR_TEXTS: dict[str, str] = {
    "no_capacity": _(
        "This offer has no free place left. Put the referral on the waitlist or decline it "
        "with the reason “no free place”."
    ),
    "consent_missing": _(
        "No active consent of the client covers sending these data to this provider. "
        "Record or extend the consent first."
    ),
    "waitlist_closed": _(
        "The waitlist of this offer is closed. Accept the referral if a place is free, "
        "decline it, or open the waitlist first."
    ),
    "reason_required": _("Please choose a reason."),
    "unknown_reason": _("Please choose one of the reasons offered."),
    "terminal": _("This referral is closed and can no longer change."),
    "illegal": _("This step is not possible in the referral's current state."),
    "wrong_side": _("This step is for the other side of the referral."),
    "changed_meanwhile": _(
        "Someone else changed the referral meanwhile. Please check its current state."
    ),
    "service_inactive": _("This offer no longer takes referrals; choose another offer."),
    "not_sent": _("Send the referral first."),
    "slot_unavailable": _(
        "This appointment slot is no longer free (or lies in the past); choose another one."
    ),
    "slot_unknown": _("This appointment slot does not exist; choose one of the offer's slots."),
    "unknown_wait_band": _("Please choose one of the expected waits offered."),
    "empty_message": _("The message is empty; write something first."),
    "not_a_draft": _("Only a draft can be edited."),
}


def labels(t: NullTranslations) -> dict[str, dict[str, str]]:
    def translated(table: dict[str, str]) -> dict[str, str]:
        return {key: t.gettext(text) for key, text in table.items()}

    return {
        "state": translated(STATE_LABELS),
        "reason": translated(REASON_LABELS),
        "need": translated(NEED_LABELS),
        "wait": translated(WAIT_LABELS),
        "urgency": translated(URGENCY_LABELS),
        "category": translated(CATEGORY_LABELS),
        # A free text whose client was erased reads as this marker (see referrals.sealed).
        "text": translated({ERASED_TEXT: ERASED_TEXT}),
    }


def error_text(request: Request, error: HTTPException) -> str:
    t = gettext_for(request)
    code = error.extra.get("code") if isinstance(error.extra, dict) else None
    if isinstance(code, str) and code in ERROR_TEXTS:
        return t.gettext(ERROR_TEXTS[code])
    if error.status_code == 404:
        return t.gettext("Not found, or not visible to you.")
    if error.status_code == 403:
        return t.gettext("Your role does not allow this.")
    return str(error.detail)


def text(form: Any, name: str, limit: int = 5000) -> str:
    value = form.get(name)
    return str(value).strip()[:limit] if value is not None else ""


def optional_uuid(form: Any, name: str) -> UUID | None:
    raw = text(form, name, 64)
    if not raw:
        return None
    try:
        return UUID(raw)
    except ValueError:
        raise ValidationException(f"{name} is not a valid id.") from None


def optional_int(form: Any, name: str) -> int | None:
    raw = text(form, name, 20)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationException(f"{name} must be a whole number.") from None
