"""What the referral form needs beyond the fields: the consent it would go under, which fields
ask for more than that consent covers, and the client's languages and district to start from.

The consent decision itself stays with the clients domain (`covering_consent` at sending);
this only shows, before sending, what that decision will find.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar.exceptions import HTTPException, ValidationException

from accounts.identity import CurrentUser
from clients.api import (
    BIRTH_DATE,
    CATEGORIES,
    DISTRICT,
    LANGUAGES,
    PURPOSE_REFERRAL,
    reveal_personal_data,
    widest_cover,
)
from referrals import drafts
from referrals.disclosure import required_categories
from referrals.page_helpers import text

# Form fields that share a data category once filled in (the rest are chosen as checkboxes).
FIELD_CATEGORIES: dict[str, str] = {
    "languages": LANGUAGES,
    "district": DISTRICT,
    "age_band": BIRTH_DATE,
}


class Coverage(msgspec.Struct, frozen=True):
    """The consent situation for one client and one recipient organisation."""

    client_id: UUID
    recipient_id: UUID
    # None: no active consent names the recipient at all.
    covered: list[str] | None
    # Categories the form's current values share that the consent does not cover.
    missing: list[str]

    @property
    def extend_url(self) -> str:
        """The consent form, prefilled with the recipient and every category needed."""
        wanted = [c for c in CATEGORIES if c in set(self.covered or []) | set(self.missing)]
        query = urlencode([("recipient", str(self.recipient_id))]
                          + [("category", c) for c in wanted])
        return f"/clients/{self.client_id}/consents/new?{query}"

    def lacks(self, category: str) -> bool:
        return category not in (self.covered or [])


def form_values(source: Any) -> dict[str, Any]:
    """The form's values as typed (a POSTed form or the query of a "check consent" GET)."""
    return {
        "client_id": text(source, "client_id", 64),
        "service_id": text(source, "service_id", 64),
        "need_category": text(source, "need_category", 100),
        "need_text": text(source, "need_text"),
        "urgency": text(source, "urgency", 10) or "normal",
        "languages": [c.strip().lower() for c in text(source, "languages", 100).replace(
            ";", ",").split(",") if c.strip()],
        "interpreter_needed": source.get("interpreter_needed") == "yes",
        "accessibility_needs": text(source, "accessibility_needs"),
        "preferred_times": text(source, "preferred_times", 255),
        "notes": text(source, "notes"),
        "shared_categories": [str(c) for c in source.getall("shared_categories", [])],
        "age_band": text(source, "age_band", 10),
        "district": text(source, "district", 100),
    }


def parse_new(values: dict[str, Any]) -> drafts.ReferralInput:
    try:
        return msgspec.convert(values, drafts.ReferralInput)
    except msgspec.ValidationError as error:
        raise ValidationException(str(error)) from None


def parse_changes(values: dict[str, Any]) -> drafts.ReferralChanges:
    content = {k: v for k, v in values.items() if k in drafts.CONTENT_FIELDS}
    try:
        return msgspec.convert(content, drafts.ReferralChanges)
    except msgspec.ValidationError as error:
        raise ValidationException(str(error)) from None


def _uuid(raw: Any) -> UUID | None:
    try:
        return UUID(str(raw)) if raw else None
    except ValueError:
        return None


async def coverage(
    values: dict[str, Any], recipient_id: UUID | None, own_clients: set[UUID]
) -> Coverage | None:
    """The consent situation for the chosen client (one of the user's own), else None."""
    client_id = _uuid(values.get("client_id"))
    if client_id is None or recipient_id is None or client_id not in own_clients:
        return None
    covered = await widest_cover(client_id, recipient_id, PURPOSE_REFERRAL)
    wanted = required_categories({k: values.get(k) for k in (
        "shared_categories", "languages", "district", "age_band")})
    missing = [c for c in wanted if c not in set(covered or [])]
    return Coverage(client_id, recipient_id, covered, missing)


async def prefill_from_client(
    values: dict[str, Any], actor: CurrentUser, remote_addr: str
) -> None:
    """Start the languages and district from the client's record where the form has none
    (an audited read by the client's own case manager)."""
    client_id = _uuid(values.get("client_id"))
    if client_id is None or (values.get("languages") and values.get("district")):
        return
    try:
        found = await reveal_personal_data(client_id, [LANGUAGES, DISTRICT], actor, remote_addr)
    except HTTPException:  # not the user's client, or erased: nothing to start from
        return
    languages, district = _field(found.get(LANGUAGES), "languages"), _field(
        found.get(DISTRICT), "district")
    if not values.get("languages") and isinstance(languages, list):
        values["languages"] = [str(code) for code in languages][:10]
    if not values.get("district") and isinstance(district, str):
        values["district"] = district[:100]


def _field(value: Any, name: str) -> Any:
    # A category opens to its fields ({"district": "Styrum"}) or, for one field, its value.
    return value.get(name) if isinstance(value, dict) else value
