"""Everything Lotse holds about a client, for the client (GDPR Art. 15).

The export joins the client record and its consents (clients domain), the referrals made for
the client (this domain) and who looked at the data (the audit log of accounts), so it lives
here, where referrals may call on both; erasure (Art. 17) is the clients domain's own.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from accounts import api as accounts
from accounts import audit
from accounts.identity import CurrentUser
from clients import api as clients
from directory import api as directory
from referrals import sealed
from referrals.tables import Referral, ReferralMessage, ReferralTransition

EXPORT_FORMAT = "lotse-client-export/1"


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


async def _organization_names(ids: set[Any]) -> dict[Any, str]:
    return await directory.organization_names(ids - {None})


async def _consents(client_id: UUID) -> list[dict[str, Any]]:
    consents = sorted(await clients.consents_of_client(client_id), key=lambda c: c.valid_from)
    return [
        {
            "id": str(consent.id),
            "purpose": consent.purpose,
            "data_categories": consent.data_categories,
            "special_categories": consent.special_categories,
            "valid_from": _iso(consent.valid_from),
            "valid_until": _iso(consent.valid_until),
            "evidence": consent.evidence,
            "evidence_note": consent.evidence_note,
            "recorded_at": _iso(consent.recorded_at),
            "withdrawn_at": _iso(consent.withdrawn_at),
            "recipients": [{"id": str(r.id), "name": r.name} for r in consent.recipients],
        }
        for consent in consents
    ]


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
    keys = clients.TextKeys()
    client_of = {referral_id: client_id for referral_id in ids}
    rows = [await sealed.open_referral_texts(row, keys) for row in rows]
    transitions = await sealed.open_column(
        transitions, "note", sealed.TRANSITION_NOTE, client_of, keys
    )
    messages = await sealed.open_column(messages, "body", sealed.MESSAGE_BODY, client_of, keys)
    orgs = await _organization_names(
        {row["recipient_organization"] for row in rows}
        | {m["author_organization"] for m in messages}
    )
    services = await directory.service_names(row["service"] for row in rows)
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
    entries = await accounts.accesses_to(client_id)
    orgs = await _organization_names({e.actor_organization for e in entries})
    return [
        {
            "at": _iso(entry.at),
            "action": entry.action,
            "organization": orgs.get(entry.actor_organization, ""),
            "categories": entry.categories,
        }
        for entry in entries
    ]


async def export_client(
    client_id: UUID, actor: CurrentUser, remote_addr: str, *, format_: str = "json"
) -> dict[str, Any]:
    """Everything Lotse holds about the client, for the client (Art. 15); the look is logged."""
    client = await clients.owned_client(client_id, actor)
    if client.erased_at is not None:
        raise clients.ClientErased()
    personal = await clients.reveal_personal_data(
        client.id, list(clients.CATEGORIES), actor, remote_addr
    )
    org = await _organization_names({client.organization})
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
        "personal_data": {cat: personal.get(cat) for cat in clients.CATEGORIES},
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
