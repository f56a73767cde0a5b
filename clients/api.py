"""The clients domain's front door: clients, their sealed personal data and their consents.

Other domains (the referral exchange, the GDPR export) call these functions and get these
structs; none imports `clients.tables`. The one consent decision is `covering_consent`:

    from clients import api as clients
    consent_id = await clients.covering_consent(client_id, org_id, clients.PURPOSE_REFERRAL,
                                                ["identity", "contact"])
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec

from accounts.identity import CurrentUser
from clients import consent, erasure, keystore_backup, recording, records, rotation
from clients.categories import (
    BIRTH_DATE,
    CATEGORIES,
    CATEGORY_LABELS,
    CONTACT,
    DISTRICT,
    EVIDENCE_ELECTRONIC,
    EVIDENCE_KINDS,
    EVIDENCE_LABELS,
    EVIDENCE_VERBAL_WITNESSED,
    EVIDENCE_WRITTEN,
    HEALTH,
    IDENTITY,
    LANGUAGES,
    NOTES,
    PURPOSE_COORDINATION,
    PURPOSE_LABELS,
    PURPOSE_REFERRAL,
    PURPOSES,
    SPECIAL_CATEGORIES,
)
from clients.consent_catalog import consent_text, consent_texts
from clients.erasure import CLIENT_ERASED_TOPIC, ERASURE_REASONS, Erasure
from clients.free_text import ERASED_TEXT, TextKeys, open_text, seal_text, seal_texts
from clients.keystore import get_keystore
from clients.personal_data import ClientChanges, ClientInput, PersonalData, age_band
from clients.recording import CONSENT_WITHDRAWN_TOPIC, ERASED, WITHDRAWN, ConsentInput
from clients.records import NOT_FOUND, ClientErased
from clients.rotation import KeyStatus, RotationReport
from clients.tables import Client, Consent
from core.time import berlin_today

__all__ = [
    "BIRTH_DATE",
    "CATEGORIES",
    "CATEGORY_LABELS",
    "CLIENT_ERASED_TOPIC",
    "CONSENT_WITHDRAWN_TOPIC",
    "CONTACT",
    "DISTRICT",
    "ERASED",
    "ERASED_TEXT",
    "ERASURE_REASONS",
    "EVIDENCE_ELECTRONIC",
    "EVIDENCE_KINDS",
    "EVIDENCE_LABELS",
    "EVIDENCE_VERBAL_WITNESSED",
    "EVIDENCE_WRITTEN",
    "HEALTH",
    "IDENTITY",
    "LANGUAGES",
    "NOTES",
    "NOT_FOUND",
    "PURPOSES",
    "PURPOSE_COORDINATION",
    "PURPOSE_LABELS",
    "PURPOSE_REFERRAL",
    "SPECIAL_CATEGORIES",
    "WITHDRAWN",
    "ClientChanges",
    "ClientErased",
    "ClientInput",
    "ClientRecord",
    "ConsentInput",
    "ConsentRecord",
    "Erasure",
    "KeyStatus",
    "PersonalData",
    "Recipient",
    "RotationReport",
    "TextKeys",
    "age_band",
    "consent_text",
    "consent_text_of",
    "consent_texts",
    "open_text",
    "seal_text",
    "seal_texts",
]


class ClientRecord(msgspec.Struct, frozen=True):
    """A client as others may know it: the pseudonym, never the sealed personal data."""

    id: UUID
    organization: UUID
    pseudonym: str
    created_by: UUID
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None


class Recipient(msgspec.Struct, frozen=True):
    id: UUID
    name: str


class ConsentRecord(msgspec.Struct, frozen=True):
    id: UUID
    client: UUID
    recipients: list[Recipient]
    purpose: str
    data_categories: list[str]
    special_categories: bool
    valid_from: date
    valid_until: date
    evidence: str
    evidence_note: str
    recorded_by: UUID
    recorded_at: datetime
    withdrawn_at: datetime | None
    withdrawn_by: UUID | None
    # Active today (Berlin): not withdrawn and within its period.
    active: bool
    # The consent text the client read: catalog language and its version then.
    text_language: str = "de"
    text_version: str = ""


def _client(row: Client) -> ClientRecord:
    return ClientRecord(
        id=row.id,
        organization=row.organization,
        pseudonym=row.pseudonym,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        erased_at=row.erased_at,
    )


def _consent(row: Consent, recipients: list[Recipient], evidence_note: str) -> ConsentRecord:
    return ConsentRecord(
        id=row.id,
        client=row.client,
        recipients=recipients,
        purpose=row.purpose,
        data_categories=consent.categories_of(row),
        special_categories=row.special_categories,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        evidence=row.evidence,
        evidence_note=evidence_note,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        withdrawn_at=row.withdrawn_at,
        withdrawn_by=row.withdrawn_by,
        active=consent.is_active(row, berlin_today()),
        text_language=row.text_language,
        text_version=row.text_version,
    )


# --- the consent decision ---------------------------------------------------------------------


async def covering_consent(
    client_id: UUID,
    recipient_org_id: UUID,
    purpose: str,
    categories: list[str],
    on: date | None = None,
) -> UUID | None:
    """Does an active consent of the client cover these data categories for this recipient
    organisation and purpose on this day (today by default)? The covering consent's id, the
    most recently recorded one, or None. Special categories need the consent's explicit flag;
    a withdrawn or expired consent covers nothing."""
    return await consent.covering_consent(client_id, recipient_org_id, purpose, categories, on)


async def widest_cover(
    client_id: UUID, recipient_org_id: UUID, purpose: str
) -> list[str] | None:
    """What the client's widest active consent for this recipient and purpose covers today,
    to show before sending (None: no active consent names the recipient)."""
    return await consent.widest_cover(client_id, recipient_org_id, purpose)


# --- clients ----------------------------------------------------------------------------------


async def consent_text_of(consent_id: UUID) -> tuple[str, str] | None:
    """(language, version) of the consent text the client agreed to, for the recipient to see;
    None for an unknown consent."""
    row = await Consent.select(Consent.text_language, Consent.text_version).where(
        Consent.id == consent_id
    ).first()
    return (str(row["text_language"]), str(row["text_version"])) if row else None


async def create_client(
    actor: CurrentUser,
    personal: PersonalData,
    remote_addr: str,
    *,
    organization_id: UUID | None = None,
    pseudonym: str = "",
) -> ClientRecord:
    row = await records.create_client(
        actor, personal, remote_addr, organization_id=organization_id, pseudonym=pseudonym
    )
    return _client(row)


async def update_client(
    client_id: UUID, changes: ClientChanges, actor: CurrentUser, remote_addr: str
) -> ClientRecord:
    return _client(await records.update_client(client_id, changes, actor, remote_addr))


async def owned_client(client_id: UUID, actor: CurrentUser) -> ClientRecord:
    """The client if the actor is a case manager of its organisation; else NotFoundException."""
    return _client(await records.owned_client(client_id, actor))


async def find_client(client_id: UUID) -> ClientRecord | None:
    """The client whoever asks; for checks of the referral exchange, never shown as such."""
    row = await Client.objects().where(Client.id == client_id).first()
    return _client(row) if row is not None else None


async def active_clients_of(organization_ids: set[UUID]) -> list[ClientRecord]:
    """The clients (not erased) of these organisations, by pseudonym: to pick one from."""
    if not organization_ids:
        return []
    rows = (
        await Client.objects()
        .where(Client.organization.is_in(list(organization_ids)), Client.erased_at.is_null())
        .order_by(Client.pseudonym)
    )
    return [_client(row) for row in rows]


async def list_clients(
    actor: CurrentUser,
    *,
    query: str = "",
    organization_id: UUID | None = None,
    include_erased: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[ClientRecord], int]:
    rows, total = await records.list_clients(
        actor,
        query=query,
        organization_id=organization_id,
        include_erased=include_erased,
        offset=offset,
        limit=limit,
    )
    return [_client(row) for row in rows], total


async def reveal_personal_data(
    client_id: UUID,
    categories: list[str],
    actor: CurrentUser,
    remote_addr: str,
    *,
    purpose: str | None = None,
) -> dict[str, Any]:
    """Decrypt the categories for the actor to see (audited): per category, field -> value.

    For case managers of the client's organisation, and for staff of an organisation a
    covering consent names (for `purpose`, or any purpose when None).
    """
    return await records.reveal_personal_data(
        client_id, categories, actor, remote_addr, purpose=purpose
    )


async def changes_against_stored(client_id: UUID, wanted: PersonalData) -> ClientChanges:
    """Only the fields that differ from what is stored (not a logged read: nothing is shown)."""
    row = await Client.objects().where(Client.id == client_id).first()
    if row is None:
        raise LookupError(f"no client {client_id}")
    return await records.changes_against_stored(row, wanted)


# --- consents ---------------------------------------------------------------------------------


async def consents_of_client(client_id: UUID) -> list[ConsentRecord]:
    """Every consent of the client, most recently recorded first, with recipients by name."""
    keys = TextKeys()
    return [
        _consent(
            row,
            [Recipient(id=r.id, name=r.name) for r in recipients],
            await keys.open(row.client, recording.EVIDENCE_NOTE, row.evidence_note),
        )
        for row, recipients in await recording.consents_of_client(client_id)
    ]


async def _consent_record(client_id: UUID, consent_id: UUID) -> ConsentRecord:
    for found in await consents_of_client(client_id):
        if found.id == consent_id:
            return found
    raise LookupError(f"no consent {consent_id}")


async def record_consent(
    client_id: UUID, data: ConsentInput, actor: CurrentUser, remote_addr: str
) -> ConsentRecord:
    row = await recording.record_consent(client_id, data, actor, remote_addr)
    return await _consent_record(client_id, row.id)


async def consent_of_client(
    client_id: UUID, consent_id: UUID, actor: CurrentUser
) -> ConsentRecord:
    """The consent if the actor manages the client; else NotFoundException."""
    await recording.consent_of_client(client_id, consent_id, actor)
    return await _consent_record(client_id, consent_id)


async def withdraw_consent(
    client_id: UUID, consent_id: UUID, actor: CurrentUser, remote_addr: str, note: str = ""
) -> ConsentRecord:
    """Withdraw at once; publishes CONSENT_WITHDRAWN_TOPIC for the referral exchange."""
    await recording.withdraw_consent(client_id, consent_id, actor, remote_addr, note)
    return await _consent_record(client_id, consent_id)


# --- erasure and retention --------------------------------------------------------------------


async def erase_client(
    client_id: UUID, actor: CurrentUser | None, remote_addr: str, *, reason: str = "request"
) -> Erasure:
    """Erase the client (GDPR Art. 17); publishes CLIENT_ERASED_TOPIC (and a withdrawal per
    consent it ends). `actor` None is the retention job."""
    return await erasure.erase_client(client_id, actor, remote_addr, reason=reason)


async def stale_clients(cutoff: datetime) -> list[UUID]:
    """Clients not erased whose record and consents have not changed since `cutoff`."""
    return await erasure.stale_clients(cutoff)


async def purge_orphan_keys(keys_older_than: datetime) -> int:
    """Destroy the keys of clients that are erased or gone; returns how many."""
    return await erasure.purge_orphan_keys(keys_older_than)


async def compact_keys() -> None:
    """Reclaim the space of destroyed keys, so that they are gone from the key file too."""
    await get_keystore().compact()


# --- backups of the key store (operations) -----------------------------------------------------


async def snapshot_keys(target: Path) -> int:
    """Write every client key to the SQLite file `target` (a backup); returns how many."""
    return (await keystore_backup.snapshot_keys(target)).keys


async def key_count() -> int:
    """How many client keys the configured key store holds."""
    return await keystore_backup.key_count()


async def keystore_exists() -> bool:
    """Whether the configured key store is there (set up once), even if it holds no key."""
    return await keystore_backup.keystore_exists()


async def restore_keys(source: Path) -> int:
    """Load a key-store snapshot into the configured, empty key store; returns how many."""
    return await keystore_backup.restore_keys(source)


async def clients_without_key() -> list[UUID]:
    """Clients not marked erased whose key is gone (erased after a restored backup was taken)."""
    return await keystore_backup.clients_without_key()


async def forget_erased_in_snapshot(snapshot: Path) -> int:
    """Destroy the keys of erased clients inside a key-store snapshot; returns how many."""
    return await keystore_backup.forget_erased(snapshot)


async def rotate_keys(batch_size: int = 200, progress: Callable[[int], None] | None = None
                      ) -> RotationReport:
    """Re-wrap every client key under LOTSE_MASTER_KEY (the old one: LOTSE_MASTER_KEY_PREVIOUS);
    resumable, and safe while the application runs."""
    return await rotation.rotate(batch_size, progress)


async def key_status() -> KeyStatus:
    """How many client keys are under the current, the previous and any other master key."""
    return await rotation.key_status()


async def keystore_reachable() -> bool:
    """The key store answers a read (for the readiness check)."""
    try:
        await get_keystore().get(UUID(int=0))
    except Exception:
        return False
    return True
