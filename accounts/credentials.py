"""Log-in sessions (cookie) and API tokens (bearer): random secrets stored only as hashes.

Issuing and revoking tokens is audited (`accounts.admin_audit`): by id, never the secret.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from accounts import auth_cache
from accounts.admin_audit import Acting, record_admin
from accounts.tables import ApiToken, LoginSession
from core.db import atomic

SESSION_LIFETIME = timedelta(hours=12)
TOKEN_PREFIX = "lotse_"  # noqa: S105 - a visible prefix, not a secret


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def open_session(user_id: UUID) -> tuple[str, str]:
    """Returns (cookie token, csrf token) of a new session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    await LoginSession.insert(
        LoginSession(
            token_hash=digest(token),
            user=user_id,
            csrf_token=csrf,
            expires_at=datetime.now(UTC) + SESSION_LIFETIME,
        )
    )
    return token, csrf


async def find_session(token: str) -> dict[str, Any] | None:
    row = (
        await LoginSession.select(LoginSession.id, LoginSession.user, LoginSession.csrf_token,
                                  LoginSession.expires_at)
        .where(LoginSession.token_hash == digest(token))
        .first()
    )
    if row is None or row["expires_at"] < datetime.now(UTC):
        return None
    return row


async def close_session(token: str) -> None:
    await LoginSession.delete().where(LoginSession.token_hash == digest(token))
    auth_cache.forget_all()


async def close_sessions_of(user_id: UUID) -> None:
    await LoginSession.delete().where(LoginSession.user == user_id)
    auth_cache.forget_all()


async def issue_token(user_id: UUID, name: str = "",
                      by: Acting | None = None) -> tuple[UUID, str]:
    """Create an API token; the secret is returned once and only its hash is kept.

    Every door a person uses (pages, API, command line) names itself in `by` and is audited;
    None is for set-up code (tests, benchmarks) only.
    """
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user_id, name=name, prefix=secret[:12], token_hash=digest(secret))
    async with atomic():
        await row.save()
        if by is not None:
            await record_admin("token.issue", user_id, by, {"token_id": row.id})
    return row.id, secret


async def find_token_user(secret: str) -> UUID | None:
    row = (
        await ApiToken.select(ApiToken.id, ApiToken.user, ApiToken.last_used_at)
        .where((ApiToken.token_hash == digest(secret)) & ApiToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        return None
    now = datetime.now(UTC)
    # Writing on every request would serialise API traffic on SQLite; a minute is precise enough.
    if row["last_used_at"] is None or now - row["last_used_at"] > timedelta(minutes=1):
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    user: UUID = row["user"]
    return user


async def revoke_token(token_id: UUID, user_id: UUID, by: Acting) -> bool:
    async with atomic():
        revoked = (
            await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)})
            .where((ApiToken.id == token_id) & (ApiToken.user == user_id)
                   & ApiToken.revoked_at.is_null())
            .returning(ApiToken.id)
        )
        if revoked:
            await record_admin("token.revoke", user_id, by, {"token_id": token_id})
    auth_cache.forget_all()
    return bool(revoked)


async def revoke_all_tokens(user_id: UUID, by: Acting | None, reason: str = "requested") -> int:
    """Revokes every active API token of the user (in the caller's transaction, if any);
    returns how many. `by` None: the caller records the change itself."""
    async with atomic():
        revoked = await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(
            (ApiToken.user == user_id) & ApiToken.revoked_at.is_null()
        ).returning(ApiToken.id)
        if by is not None:
            await record_admin("token.revoke_all", user_id, by,
                               {"count": len(revoked), "reason": reason})
    auth_cache.forget_all()
    return len(revoked)
