"""Erasing a client (GDPR Art. 17): the key is destroyed, so the sealed data is gone everywhere.

Destroying the client's key makes the personal data, and every free text sealed with it
(`clients.free_text`), unreadable in every backup of the main database too; on SQLite the
write-ahead log is emptied after the commit, and deleted content is overwritten (`core.db`).
The client's consents end with it; the referral exchange hears of both through the outbox
(in the same transaction) and cancels and clears what it holds about the client.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import msgspec

from accounts import audit
from accounts.identity import CurrentUser
from clients.keystore import get_keystore
from clients.recording import ERASED, publish_withdrawal
from clients.records import owned_client
from clients.tables import Client, Consent
from core.db import atomic, checkpoint_wal
from outbox.publish import publish

# Outbox topic of an erasure: {client_id, actor_user_id, reason}.
CLIENT_ERASED_TOPIC = "clients.client_erased"
ERASURE_REASONS = ("request", "retention")
_CHUNK = 500


class Erasure(msgspec.Struct, frozen=True):
    client_id: UUID
    key_destroyed: bool


async def _end_consents(client_id: UUID, actor: CurrentUser | None, now: datetime) -> None:
    """Withdraw what is still active; recipients are told so they can erase too (Art. 19)."""
    actor_id = actor.id if actor else None
    open_consents = await Consent.select(Consent.id).where(
        Consent.client == client_id, Consent.withdrawn_at.is_null()
    )
    for row in open_consents:
        await Consent.update({Consent.withdrawn_at: now, Consent.withdrawn_by: actor_id}).where(
            Consent.id == row["id"]
        )
        await publish_withdrawal(row["id"], client_id, actor_id, ERASED)
    await Consent.update({Consent.evidence_note: ""}).where(Consent.client == client_id)


async def erase_client(
    client_id: UUID,
    actor: CurrentUser | None,
    remote_addr: str,
    *,
    reason: str = "request",
) -> Erasure:
    """Erase the client. `actor` None is the retention job; a person must own the case."""
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
        return Erasure(client_id=client.id, key_destroyed=await get_keystore().delete(client.id))
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
            return Erasure(client_id=client.id, key_destroyed=False)
        await _end_consents(client.id, actor, now)
        await publish(
            CLIENT_ERASED_TOPIC,
            {
                "client_id": str(client.id),
                "actor_user_id": str(actor.id) if actor else None,
                "reason": reason,
            },
        )
        await audit.record(
            "client.erase",
            "client",
            client.id,
            actor,
            client.organization,
            {"reason": reason},
            remote_addr,
        )
    # After the commit: should this fail, `purge_orphan_keys` destroys the key later.
    destroyed = await get_keystore().delete(client.id)
    # The pseudonym and evidence notes as they were still sit in the SQLite write-ahead log.
    await checkpoint_wal()
    return Erasure(client_id=client.id, key_destroyed=destroyed)


async def purge_orphan_keys(keys_older_than: datetime) -> int:
    """Destroy keys whose client is erased or gone (e.g. a key deletion that failed earlier)."""
    keystore = get_keystore()
    key_ids = sorted(await keystore.client_ids(keys_older_than))
    destroyed = 0
    for start in range(0, len(key_ids), _CHUNK):
        chunk = key_ids[start : start + _CHUNK]
        rows = await Client.select(Client.id).where(
            Client.id.is_in(chunk), Client.erased_at.is_null()
        )
        live = {row["id"] for row in rows}
        for client_id in chunk:
            if client_id not in live and await keystore.delete(client_id):
                destroyed += 1
    return destroyed


async def stale_clients(cutoff: datetime) -> list[UUID]:
    """Clients not erased whose record and consents have not changed since `cutoff`."""
    rows = await Client.select(Client.id).where(
        Client.erased_at.is_null(), Client.updated_at < cutoff
    )
    candidates = [row["id"] for row in rows]
    stale: list[UUID] = []
    for start in range(0, len(candidates), _CHUNK):
        chunk = candidates[start : start + _CHUNK]
        busy = await Consent.select(Consent.client).where(
            Consent.client.is_in(chunk),
            (Consent.recorded_at >= cutoff) | (Consent.withdrawn_at >= cutoff),
        )
        recent = {row["client"] for row in busy}
        stale += [client_id for client_id in chunk if client_id not in recent]
    return stale

