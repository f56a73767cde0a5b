"""The audit log: who read personal data or changed a client, consent or referral, when, from where.

Entries are only ever inserted. Each carries the hash of the previous one, so an edited, inserted
or removed row breaks the chain and `verify_chain` names the first entry that no longer fits.
Writers are serialised (advisory lock on PostgreSQL, IMMEDIATE transaction on SQLite) so that two
requests can never both append to the same predecessor. Details hold ids and codes, never
personal data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from accounts.identity import CurrentUser
from accounts.tables import AuditEntry
from core.db import atomic, is_sqlite
from core.i18n import N_

# What each action means, for the audit pages (gettext msgids).
ACTION_LABELS: dict[str, str] = {
    "client.create": N_("recorded the client"),
    "client.read": N_("looked at personal data"),
    "client.update": N_("changed the client"),
    "client.export": N_("exported everything stored"),
    "client.erase": N_("erased the client"),
    "consent.create": N_("recorded a consent"),
    "consent.withdraw": N_("withdrew a consent"),
    "referral.read": N_("looked at a referral's personal data"),
    "referral.transition": N_("changed a referral's state"),
    # Account administration (accounts.admin_audit).
    "user.create": N_("created a user"),
    "user.update": N_("changed a user's name or language"),
    "user.deactivate": N_("deactivated a user"),
    "user.activate": N_("reactivated a user"),
    "membership.add": N_("gave a user a role"),
    "membership.remove": N_("took a role from a user"),
    "membership.change": N_("changed a user's role"),
    "password_link.issue": N_("issued a password link"),
    "password.change": N_("changed a password"),
    "password.set_by_link": N_("set a password through a link"),
    "token.issue": N_("issued an API token"),
    "token.revoke": N_("revoked an API token"),
    "token.revoke_all": N_("revoked all API tokens of a user"),
}

GENESIS_HASH = "0" * 64
# Arbitrary constant naming the audit chain's PostgreSQL advisory lock.
_CHAIN_LOCK = 0x4C6F7473_41756474 % (2**63)
_VERIFY_BATCH = 1000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    head_hash: str
    first_bad_id: int | None = None
    problem: str = ""


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain_detail(detail: dict[str, Any]) -> dict[str, Any]:
    # UUIDs, dates and the like become strings, so what is stored is exactly what is hashed.
    result: dict[str, Any] = json.loads(json.dumps(detail, default=str))
    return result


def canonical_entry(
    *,
    at: datetime,
    actor_user: UUID | None,
    actor_organization: UUID | None,
    action: str,
    subject_type: str,
    subject_id: UUID | None,
    owner_organization: UUID | None,
    detail: dict[str, Any],
    remote_addr: str,
) -> str:
    fields = {
        "at": _timestamp(at),
        "actor_user": str(actor_user) if actor_user else None,
        "actor_organization": str(actor_organization) if actor_organization else None,
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id) if subject_id else None,
        "owner_organization": str(owner_organization) if owner_organization else None,
        "detail": detail,
        "remote_addr": remote_addr,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def _acting_organization(actor: CurrentUser | None, owner: UUID | None) -> UUID | None:
    if actor is None:
        return None
    orgs = actor.organization_ids
    if owner is not None and owner in orgs:
        return owner
    return next(iter(orgs)) if len(orgs) == 1 else None


async def _lock_chain() -> None:
    if not is_sqlite():
        await AuditEntry.raw("SELECT pg_advisory_xact_lock({})", _CHAIN_LOCK)


async def record(
    action: str,
    subject_type: str,
    subject_id: UUID | None,
    actor: CurrentUser | None,
    owner_organization: UUID | None,
    detail: dict[str, Any],
    remote_addr: str,
    *,
    actor_organization: UUID | None = None,
    actor_user: UUID | None = None,
) -> None:
    """Append one entry; inside a caller's `atomic()` it commits (or rolls back) with the change.

    `actor` None means the system itself (retention, expiry), or a person known only by id
    (`actor_user`, e.g. from an outbox event). `actor_organization` defaults to the owner
    organisation when the actor belongs to it, else to the actor's only organisation.
    """
    plain = _plain_detail(detail)
    acting_org = actor_organization or _acting_organization(actor, owner_organization)
    actor_id = actor.id if actor else actor_user
    remote = (remote_addr or "")[:64]
    async with atomic():
        await _lock_chain()
        last = (
            await AuditEntry.select(AuditEntry.entry_hash)
            .order_by(AuditEntry.id, ascending=False)
            .first()
        )
        prev_hash = last["entry_hash"] if last else GENESIS_HASH
        # Taken under the lock, so time never runs backwards along the chain.
        at = datetime.now(UTC)
        canonical = canonical_entry(
            at=at,
            actor_user=actor_id,
            actor_organization=acting_org,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            owner_organization=owner_organization,
            detail=plain,
            remote_addr=remote,
        )
        await AuditEntry.insert(
            AuditEntry(
                at=at,
                actor_user=actor_id,
                actor_organization=acting_org,
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
                owner_organization=owner_organization,
                detail=plain,
                remote_addr=remote,
                prev_hash=prev_hash,
                entry_hash=chain_hash(prev_hash, canonical),
            )
        )


async def recorded_already(action: str, subject_id: UUID, key: str, value: str) -> bool:
    """Whether an entry of `action` on `subject_id` has detail[key] == value (for redelivery)."""
    rows = await AuditEntry.select(AuditEntry.detail).where(
        AuditEntry.subject_id == subject_id, AuditEntry.action == action
    )
    return any(_loaded_detail(row["detail"]).get(key) == value for row in rows)


def _loaded_detail(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        parsed = json.loads(raw) if raw else {}
        return parsed if isinstance(parsed, dict) else {}
    return raw if isinstance(raw, dict) else {}


def _recomputed_hash(row: dict[str, Any], prev_hash: str) -> str:
    canonical = canonical_entry(
        at=row["at"],
        actor_user=row["actor_user"],
        actor_organization=row["actor_organization"],
        action=row["action"],
        subject_type=row["subject_type"],
        subject_id=row["subject_id"],
        owner_organization=row["owner_organization"],
        detail=_loaded_detail(row["detail"]),
        remote_addr=row["remote_addr"],
    )
    return chain_hash(prev_hash, canonical)


async def verify_chain() -> VerifyResult:
    """Walk the whole log in order and check every link and every entry's own hash."""
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = -1
    while True:
        rows = (
            await AuditEntry.select()
            .where(AuditEntry.id > last_id)
            .order_by(AuditEntry.id)
            .limit(_VERIFY_BATCH)
        )
        if not rows:
            return VerifyResult(ok=True, checked=checked, head_hash=expected_prev)
        for row in rows:
            if row["prev_hash"] != expected_prev:
                return VerifyResult(
                    ok=False,
                    checked=checked,
                    head_hash=expected_prev,
                    first_bad_id=row["id"],
                    problem="an entry before this one was removed, inserted or altered",
                )
            if _recomputed_hash(row, expected_prev) != row["entry_hash"]:
                return VerifyResult(
                    ok=False,
                    checked=checked,
                    head_hash=expected_prev,
                    first_bad_id=row["id"],
                    problem="this entry was altered after it was written",
                )
            expected_prev = row["entry_hash"]
            checked += 1
            last_id = row["id"]


async def list_entries(
    *,
    organizations: set[UUID] | None,
    action: str | None = None,
    subject_id: UUID | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """Newest first. `organizations` None: the whole network; else entries about their data
    or made by their staff."""
    from piccolo.columns.combination import Or

    conditions: list[Any] = []
    if organizations is not None:
        if not organizations:
            return [], 0
        ids = list(organizations)
        conditions.append(
            Or(AuditEntry.owner_organization.is_in(ids), AuditEntry.actor_organization.is_in(ids))
        )
    if action:
        conditions.append(AuditEntry.action == action)
    if subject_id:
        conditions.append(AuditEntry.subject_id == subject_id)
    rows = (
        await AuditEntry.select()
        .where(*conditions)
        .order_by(AuditEntry.id, ascending=False)
        .offset(offset)
        .limit(limit)
    )
    total = await AuditEntry.count().where(*conditions)
    for row in rows:
        row["detail"] = _loaded_detail(row["detail"])
    return rows, total


# --- reads for the client's rights (GDPR Art. 15) ----------------------------------------------


class SubjectAccess(msgspec.Struct, frozen=True):
    """One audit entry about a subject: when, what, by which organisation (never which person)."""

    at: datetime
    action: str
    actor_organization: UUID | None
    # The data categories the entry names (reads and changes of a client), else empty.
    categories: list[str]


async def accesses_to(subject_id: UUID) -> list[SubjectAccess]:
    """Every audit entry about one subject (e.g. a client), oldest first."""
    rows = (
        await AuditEntry.select(
            AuditEntry.at, AuditEntry.action, AuditEntry.actor_organization, AuditEntry.detail
        )
        .where(AuditEntry.subject_id == subject_id)
        .order_by(AuditEntry.id)
    )
    result = []
    for row in rows:
        detail: Any = row["detail"]
        if isinstance(detail, str):
            detail = json.loads(detail) if detail else {}
        named = detail.get("categories", []) if isinstance(detail, dict) else []
        result.append(
            SubjectAccess(
                at=row["at"],
                action=row["action"],
                actor_organization=row["actor_organization"],
                categories=[str(c) for c in named] if isinstance(named, list) else [],
            )
        )
    return result


async def head() -> tuple[int, str]:
    """The number of entries and the hash of the newest (the genesis hash when empty)."""
    last = (
        await AuditEntry.select(AuditEntry.entry_hash)
        .order_by(AuditEntry.id, ascending=False)
        .first()
    )
    return await AuditEntry.count(), (last["entry_hash"] if last else GENESIS_HASH)
