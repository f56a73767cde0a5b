"""The filters of the HSDS API, checked and turned into the directory's listing filter."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from litestar.exceptions import ValidationException

from directory.api import ListingFilter, OfferProperty
from hsds import extensions as ext

MAX_PROXIMITY = 500_000.0


def _uuid(name: str, value: str | None) -> uuid.UUID | None:
    if value is None or not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise ValidationException(f"{name} must be a UUID, got {value!r}") from None


def parse_filters(
    *,
    search: str | None = None,
    taxonomy_term_id: str | None = None,
    taxonomy_id: str | None = None,
    organization_id: str | None = None,
    modified_after: str | None = None,
    postcode: str | None = None,
    proximity: str | None = None,
    parent_id: str | None = None,
    top_only: bool = False,
) -> ListingFilter:
    """Checked filters; a wrong value answers 400 with what to send instead."""
    after = None
    if modified_after:
        try:
            after = datetime.fromisoformat(modified_after.strip().replace(" ", "+"))
        except ValueError:
            raise ValidationException(
                f"modified_after must be an ISO 8601 date and time, got {modified_after!r}"
            ) from None
        after = after.replace(tzinfo=UTC) if after.tzinfo is None else after
    distance = None
    if proximity not in (None, ""):
        try:
            distance = float(proximity)
        except ValueError:
            raise ValidationException(f"proximity must be metres, got {proximity!r}") from None
        if not 0 < distance <= MAX_PROXIMITY:
            raise ValidationException(f"proximity must be between 1 and {MAX_PROXIMITY:.0f}")
        if not postcode:
            raise ValidationException("proximity needs a postcode to measure from")
    text = " ".join((search or "").replace("%", " ").replace("_", " ").split())
    term = _uuid("taxonomy_term_id", taxonomy_term_id)
    taxonomy = _uuid("taxonomy_id", taxonomy_id)
    # The Lotse profile's terms are attributes, not taxonomy links: they filter by the fact.
    offer_property: OfferProperty | None = None
    if term is not None and str(term) in ext.TERM_CODES_BY_ID:
        offer_property = ext.TERM_CODES_BY_ID[str(term)]  # type: ignore[assignment]
        term = None
    if taxonomy is not None and str(taxonomy) == ext.TAXONOMY_ID:
        # Every offer carries Lotse attributes (free of charge, kind of organisation).
        taxonomy = None
    return ListingFilter(
        search=text or None,
        taxonomy_term_id=term,
        taxonomy_id=taxonomy,
        offer_property=offer_property,
        organization_id=_uuid("organization_id", organization_id),
        modified_after=after,
        postcode=(postcode or "").strip() or None,
        proximity=distance,
        parent_id=_uuid("parent_id", parent_id),
        top_only=top_only,
    )
