"""The client's rights: everything stored about them (GDPR Art. 15) and erasure (Art. 17).

Erasure destroys the client's key, so the sealed personal data is unreadable in every backup of
the main database too; free texts of the referrals are cleared, while states, dates, offers and
coded fields stay for the network's statistics.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from accounts import audit
from accounts.identity import CurrentUser
from accounts.tables import AuditEntry
from core.db import atomic
from directory.tables import Organization, Service
from outbox.publish import publish
from referrals.clients import ClientErased, owned_client, reveal_personal_data
from referrals.consent import CATEGORIES, WITHDRAWN_TOPIC, categories_of, recipients_of
from referrals.keystore import get_keystore
from referrals.tables import (
    Client,
    Consent,
    ConsentRecipient,
    Referral,
    ReferralMessage,
    ReferralTransition,
)

EXPORT_FORMAT = "lotse-client-export/1"
ERASURE_REASONS = ("request", "retention")
_OPEN_STATES = ("draft", "sent", "accepted", "waitlisted", "in_progress")


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _json_list(raw: Any) -> list[Any]:
    value = json.loads(raw) if isinstance(raw, str) and raw else raw
    return value if isinstance(value, list) else []


async def _names(table: type[Organization] | type[Service], ids: set[Any]) -> dict[Any, str]:
    if not ids:
        return {}
    rows = await table.select(table.id, table.name).where(table.id.is_in(list(ids)))
    return {row["id"]: row["name"] for row in rows}


async def _consents(client_id: UUID) -> list[dict[str, Any]]:
    consents = (
        await Consent.objects().where(Consent.client == client_id).order_by(Consent.valid_from)
    )
    links = await ConsentRecipient.select(
        ConsentRecipient.consent, ConsentRecipient.organization
    ).where(ConsentRecipient.consent.is_in([c.id for c in consents] or [None]))
    orgs = await _names(Organization, {row["organization"] for row in links})
    result = []
    for consent in consents:
        recipients = [row["organization"] for row in links if row["consent"] == consent.id]
        result.append(
            {
                "id": str(consent.id),
                "purpose": consent.purpose,
                "data_categories": categories_of(consent),
                "special_categories": consent.special_categories,
                "valid_from": _iso(consent.valid_from),
                "valid_until": _iso(consent.valid_until),
                "evidence": consent.evidence,
                "evidence_note": consent.evidence_note,
                "recorded_at": _iso(consent.recorded_at),
                "withdrawn_at": _iso(consent.withdrawn_at),
                "recipients": [{"id": str(o), "name": orgs.get(o, "")} for o in recipients],
            }
        )
    return result


async def _referrals(client_id: UUID) -> list[dict[str, Any]]:
    rows = await Referral.select().where(Referral.client == client_id).order_by(Referral.created_at)
    ids = [row["id"] for row in rows]
    transitions = (
        await ReferralTransition.select()
        .where(ReferralTransition.referral.is_in(ids or [None]))
        .order_by(ReferralTransition.at)
    )
    messages = (
        await ReferralMessage.select()
        .where(ReferralMessage.referral.is_in(ids or [None]))
        .order_by(ReferralMessage.created_at)
    )
    orgs = await _names(
        Organization,
        {row["recipient_organization"] for row in rows}
        | {m["author_organization"] for m in messages},
    )
    services = await _names(Service, {row["service"] for row in rows})
    result = []
    for row in rows:
        result.append(
            {
                "id": str(row["id"]),
                "offer": services.get(row["service"], ""),
                "provider": orgs.get(row["recipient_organization"], ""),
                "state": row["state"],
                "need_category": row["need_category"],
                "need_text": row["need_text"],
                "urgency": row["urgency"],
                "languages": _json_list(row["languages"]),
                "interpreter_needed": row["interpreter_needed"],
                "accessibility_needs": row["accessibility_needs"],
                "preferred_times": row["preferred_times"],
                "notes": row["notes"],
                "shared_categories": _json_list(row["shared_categories"]),
                "age_band": row["age_band"],
                "district": row["district"],
                "appointment": row["appointment_text"],
                "created_at": _iso(row["created_at"]),
                "sent_at": _iso(row["sent_at"]),
                "answered_at": _iso(row["answered_at"]),
                "closed_at": _iso(row["closed_at"]),
                "history": [
                    {
                        "at": _iso(t["at"]),
                        "from": t["from_state"],
                        "to": t["to_state"],
                        "reason": t["reason"],
                        "note": t["note"],
                    }
                    for t in transitions
                    if t["referral"] == row["id"]
                ],
                "messages": [
                    {
                        "at": _iso(m["created_at"]),
                        "from": orgs.get(m["author_organization"], ""),
                        "body": m["body"],
                    }
                    for m in messages
                    if m["referral"] == row["id"]
                ],
            }
        )
    return result


async def _access_log(client_id: UUID) -> list[dict[str, Any]]:
    """Who looked at or changed the client's data: organisations, not individual staff."""
    rows = (
        await AuditEntry.select(
            AuditEntry.at, AuditEntry.action, AuditEntry.actor_organization, AuditEntry.detail
        )
        .where(AuditEntry.subject_id == client_id)
        .order_by(AuditEntry.id)
    )
    orgs = await _names(Organization, {r["actor_organization"] for r in rows} - {None})
    log = []
    for row in rows:
        detail = json.loads(row["detail"]) if isinstance(row["detail"], str) else row["detail"]
        log.append(
            {
                "at": _iso(row["at"]),
                "action": row["action"],
                "organization": orgs.get(row["actor_organization"], ""),
                "categories": (detail or {}).get("categories", []),
            }
        )
    return log


async def export_client(
    client_id: UUID, actor: CurrentUser, remote_addr: str, *, format_: str = "json"
) -> dict[str, Any]:
    """Everything Lotse holds about the client, for the client (Art. 15); the look is logged."""
    client = await owned_client(client_id, actor)
    if client.erased_at is not None:
        raise ClientErased()
    personal = await reveal_personal_data(client.id, list(CATEGORIES), actor, remote_addr)
    org = await _names(Organization, {client.organization})
    access_log = await _access_log(client.id)
    export = {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(datetime.now(UTC)),
        "controller": {"id": str(client.organization), "name": org.get(client.organization, "")},
        "client": {
            "id": str(client.id),
            "pseudonym": client.pseudonym,
            "created_at": _iso(client.created_at),
            "updated_at": _iso(client.updated_at),
        },
        "personal_data": {cat: personal.get(cat) for cat in CATEGORIES},
        "consents": await _consents(client.id),
        "referrals": await _referrals(client.id),
        "access_log": access_log,
    }
    await audit.record(
        "client.export",
        "client",
        client.id,
        actor,
        client.organization,
        {"format": format_},
        remote_addr,
    )
    return export


@dataclass(frozen=True)
class Erasure:
    client_id: UUID
    cancelled_referral_ids: list[UUID]
    key_destroyed: bool


async def _cancel_open_referrals(
    client: Client, consents: list[Consent], actor: CurrentUser | None
) -> dict[UUID | None, list[UUID]]:
    """Cancelled referral ids per consent (None: referrals sent without one)."""
    from referrals.transitions import cancel_open_for_consent, transition

    cancelled: dict[UUID | None, list[UUID]] = {}
    for consent in consents:
        cancelled[consent.id] = await cancel_open_for_consent(consent.id, actor, "client_erased")
    # Drafts (and anything else open) not tied to a consent are the sender's own to cancel.
    rest = await Referral.select(Referral.id).where(
        Referral.client == client.id, Referral.state.is_in(list(_OPEN_STATES))
    )
    for row in rest:
        if actor is None:
            raise RuntimeError("open referrals without consent block an automatic erasure")
        await transition(row["id"], "cancelled", actor, reason="client_erased")
        cancelled.setdefault(None, []).append(row["id"])
    return cancelled


async def _anonymise(client: Client, now: datetime) -> None:
    referral_ids = [
        r["id"] for r in await Referral.select(Referral.id).where(Referral.client == client.id)
    ]
    await Consent.update({Consent.evidence_note: ""}).where(Consent.client == client.id)
    if referral_ids:
        await Referral.update(
            {
                Referral.need_text: "",
                Referral.notes: "",
                Referral.accessibility_needs: "",
                Referral.preferred_times: "",
                Referral.appointment_text: "",
                Referral.updated_at: now,
            }
        ).where(Referral.id.is_in(referral_ids))
        await ReferralTransition.update({ReferralTransition.note: ""}).where(
            ReferralTransition.referral.is_in(referral_ids)
        )
        await ReferralMessage.update({ReferralMessage.body: ""}).where(
            ReferralMessage.referral.is_in(referral_ids)
        )


async def erase_client(
    client_id: UUID,
    actor: CurrentUser | None,
    remote_addr: str,
    *,
    reason: str = "request",
) -> Erasure:
    """Erase the client (Art. 17). `actor` None is the retention job; a person must own the case."""
    if reason not in ERASURE_REASONS:
        raise ValueError(f"unknown erasure reason {reason!r}")
    if actor is not None:
        client = await owned_client(client_id, actor)
    else:
        found = await Client.objects().where(Client.id == client_id).first()
        if found is None:
            raise LookupError(f"no client {client_id}")
        client = found
    if client.erased_at is not None:
        destroyed = await get_keystore().delete(client.id)
        return Erasure(client.id, [], destroyed)
    now = datetime.now(UTC)
    async with atomic():
        # Claimed first: of two concurrent erasures only one does the work.
        claimed = (
            await Client.update(
                {
                    Client.pseudonym: "",
                    Client.sealed_data: "",
                    Client.erased_at: now,
                    Client.updated_at: now,
                }
            )
            .where(Client.id == client.id, Client.erased_at.is_null())
            .returning(Client.id)
        )
        if not claimed:
            return Erasure(client.id, [], False)
        consents = await Consent.objects().where(Consent.client == client.id)
        cancelled_by_consent = await _cancel_open_referrals(client, consents, actor)
        cancelled = [r for ids in cancelled_by_consent.values() for r in ids]
        for consent in consents:
            if consent.withdrawn_at is not None:
                continue
            await Consent.update(
                {Consent.withdrawn_at: now, Consent.withdrawn_by: actor.id if actor else None}
            ).where(Consent.id == consent.id)
            # Recipients are told so they can erase what they received (Art. 19).
            await publish(
                WITHDRAWN_TOPIC,
                {
                    "consent_id": str(consent.id),
                    "recipient_org_ids": [str(o) for o in await recipients_of(consent.id)],
                    "referral_ids": [str(r) for r in cancelled_by_consent.get(consent.id, [])],
                    "reason": "client_erased",
                },
            )
        await _anonymise(client, now)
        await audit.record(
            "client.erase",
            "client",
            client.id,
            actor,
            client.organization,
            {"reason": reason, "cancelled_referral_ids": cancelled},
            remote_addr,
        )
    # After the commit: should this fail, `retention.purge_orphan_keys` destroys the key later.
    destroyed = await get_keystore().delete(client.id)
    return Erasure(client.id, cancelled, destroyed)
