"""The review list: unknown taxonomy terms from imports, and the decisions taken on them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from core.db import atomic
from directory import api as directory
from hsds.tables import DuplicateFlag, TermReview, TermReviewLink
from hsds.taxonomies import ReviewEntry, TermResolver, taxonomy_of

DECIDED = ("mapped", "adopted", "dismissed")


class ReviewError(ValueError):
    """A review decision cannot be taken; the message says why."""


async def load_decisions(resolver: TermResolver, term_ids: Iterable[uuid.UUID]) -> None:
    """Teach the resolver the decisions already taken on these external terms."""
    wanted = [t for t in set(term_ids) if t not in resolver.decisions]
    for start in range(0, len(wanted), 500):
        rows = await TermReview.select(
            TermReview.external_term_id, TermReview.status, TermReview.mapped_term
        ).where(
            TermReview.external_term_id.is_in(wanted[start : start + 500])
            & TermReview.status.is_in(list(DECIDED))
        )
        for row in rows:
            local = row["mapped_term"] if row["status"] != "dismissed" else None
            resolver.decisions[row["external_term_id"]] = local


async def record(
    entries: dict[uuid.UUID, ReviewEntry], services: set[uuid.UUID], source: str
) -> int:
    """Write review items and replace the review links of ``services``; returns new items.

    Runs inside the caller's transaction.
    """
    now = datetime.now(UTC)
    ids = list(entries)
    known: dict[uuid.UUID, uuid.UUID] = {}
    for start in range(0, len(ids), 500):
        rows = await TermReview.select(TermReview.id, TermReview.external_term_id).where(
            TermReview.external_term_id.is_in(ids[start : start + 500])
        )
        known.update({row["external_term_id"]: row["id"] for row in rows})
    created = 0
    for term_id, entry in entries.items():
        if term_id in known:
            await TermReview.update({"last_seen": now}).where(TermReview.id == known[term_id])
            continue
        taxonomy = taxonomy_of(entry.term)
        item = TermReview(
            external_term_id=term_id,
            external_taxonomy_id=taxonomy["id"],
            taxonomy_name=taxonomy["name"][:255],
            taxonomy_uri=(taxonomy["uri"] or None),
            code=str(entry.term.get("code") or "")[:255],
            name=str(entry.term.get("name") or "")[:255],
            description=str(entry.term.get("description") or ""),
            term_json=entry.term,
            source=source[:1000],
        )
        await item.save()
        known[term_id] = item.id
        created += 1
    if not entries and not await TermReviewLink.exists():
        return created
    service_list = list(services)
    for start in range(0, len(service_list), 500):
        await TermReviewLink.delete().where(
            TermReviewLink.service.is_in(service_list[start : start + 500])
        )
    links = [
        TermReviewLink(review=known[term_id], service=service_id, attribute_id=attribute_id)
        for term_id, entry in entries.items()
        for service_id, attribute_id in entry.links
    ]
    for start in range(0, len(links), 200):
        await TermReviewLink.insert(*links[start : start + 200])
    return created


async def open_items() -> list[dict[str, Any]]:
    items = (
        await TermReview.select()
        .where(TermReview.status == "open")
        .order_by(TermReview.taxonomy_name)
        .order_by(TermReview.code)
    )
    for item in items:
        item["offers"] = await TermReviewLink.count().where(TermReviewLink.review == item["id"])
    return items


async def _item(reference: str) -> dict[str, Any]:
    try:
        key = uuid.UUID(reference)
    except ValueError:
        raise ReviewError(f"{reference!r} is not a review item id") from None
    row = (
        await TermReview.select()
        .where((TermReview.id == key) | (TermReview.external_term_id == key))
        .first()
    )
    if row is None:
        raise ReviewError(f"no review item {reference}")
    return row


async def _link_offers(item: dict[str, Any], term_id: uuid.UUID) -> int:
    links = await TermReviewLink.select().where(TermReviewLink.review == item["id"])
    await directory.link_services_to_term(
        [(link["attribute_id"], link["service"]) for link in links], term_id
    )
    await TermReviewLink.delete().where(TermReviewLink.review == item["id"])
    return len(links)


async def map_item(reference: str, code: str) -> int:
    """Map a reviewed term onto the Lotse term with ``code``; returns the offers linked."""
    item = await _item(reference)
    term_id = await directory.term_id_by_code(code)
    if term_id is None:
        raise ReviewError(f"Lotse has no taxonomy term with the code {code!r}")
    async with atomic():
        await TermReview.update({"status": "mapped", "mapped_term": term_id}).where(
            TermReview.id == item["id"]
        )
        return await _link_offers(item, term_id)


async def adopt_item(reference: str) -> int:
    """Take a reviewed term (and its taxonomy) into Lotse; returns the offers linked."""
    item = await _item(reference)
    doc = item["term_json"] if isinstance(item["term_json"], dict) else {}
    taxonomy_id = item["external_taxonomy_id"] or uuid.uuid4()
    async with atomic():
        await directory.adopt_term(
            term_id=item["external_term_id"],
            code=item["code"] or str(item["external_term_id"]),
            name=item["name"] or item["code"] or str(item["external_term_id"]),
            description=str(doc.get("description") or ""),
            taxonomy_id=taxonomy_id,
            taxonomy_name=item["taxonomy_name"] or "Imported",
            taxonomy_uri=item["taxonomy_uri"],
        )
        await TermReview.update(
            {"status": "adopted", "mapped_term": item["external_term_id"]}
        ).where(TermReview.id == item["id"])
        return await _link_offers(item, item["external_term_id"])


async def dismiss_item(reference: str) -> None:
    item = await _item(reference)
    async with atomic():
        await TermReview.update({"status": "dismissed"}).where(TermReview.id == item["id"])
        await TermReviewLink.delete().where(TermReviewLink.review == item["id"])


async def open_duplicates() -> list[dict[str, Any]]:
    """Open duplicate flags, oldest first, with the names of both offers."""
    flags = (
        await DuplicateFlag.select(
            DuplicateFlag.service,
            DuplicateFlag.existing_service,
            DuplicateFlag.reason,
            DuplicateFlag.score,
        )
        .where(DuplicateFlag.status == "open")
        .order_by(DuplicateFlag.created_at)
    )
    ids = {flag["service"] for flag in flags} | {flag["existing_service"] for flag in flags}
    names = {service.id: service.name for service in await directory.service_records(ids)}
    for flag in flags:
        flag["service.name"] = names.get(flag["service"])
        flag["existing_service.name"] = names.get(flag["existing_service"])
    return flags
