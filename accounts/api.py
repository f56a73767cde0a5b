"""The accounts domain's front door: what other domains may call instead of `accounts.tables`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from accounts.tables import AuditEntry

# --- audit log reads for the client's rights (GDPR Art. 15) -----------------------------------


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
