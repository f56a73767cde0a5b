"""Links where a person sets a password: signed, expiring and usable once.

The signed payload holds the user id and a keyed hash of the user's current password hash. Setting
a password changes that hash, so every link issued before stops working; no table is needed.

Tokens after a password change: a password set through a link (a reset: the old password may be
known to someone else) revokes every API token of the user and ends every session; a change
with the current password on the account page ends the other sessions and revokes the tokens
too, unless the person chooses to keep them. Every issue and use of a link is audited.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from uuid import UUID

import anyio.to_thread
from itsdangerous import BadData, URLSafeTimedSerializer

from accounts import auth_cache
from accounts.admin_audit import SYSTEM, Acting, record_admin
from accounts.credentials import digest, revoke_all_tokens
from accounts.management import check_new_password
from accounts.passwords import hash_password, verify_password_async
from accounts.schemas import PasswordLink
from accounts.tables import LoginSession, User
from core.db import atomic
from core.errors import NotFoundError, ReadableError
from core.i18n import N_
from core.urls import absolute_url
from settings import get_settings

LINK_LIFETIME = timedelta(days=3)
SALT = "lotse.password-link"

INVALID = N_("This link is not valid. Ask a network administrator for a new one.")
EXPIRED = N_("This link has expired. Ask a network administrator for a new one.")
USED = N_("This link has already been used. Log in with your password, or ask a network "
          "administrator for a new link.")


class LinkError(ReadableError):
    pass


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=SALT)


def _fingerprint(password_hash: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, password_hash.encode(), hashlib.sha256).hexdigest()[:32]


async def issue_link(user_id: UUID, by: Acting = SYSTEM) -> PasswordLink:
    row = await User.select(User.password_hash, User.is_active).where(User.id == user_id).first()
    if row is None:
        raise NotFoundError(N_("There is no user with the id {id}."), id=user_id)
    if not row["is_active"]:
        raise ReadableError(N_("This account is deactivated. Activate it before sending a "
                               "password link."))
    async with atomic():
        await record_admin("password_link.issue", user_id, by)
    token = _serializer().dumps({"u": str(user_id), "p": _fingerprint(row["password_hash"])})
    return PasswordLink(link=absolute_url(f"/password/{token}"),
                        expires_at=datetime.now(UTC) + LINK_LIFETIME)


def _read(token: str, now: datetime | None) -> tuple[UUID, str]:
    try:
        payload, signed_at = _serializer().loads(token, return_timestamp=True)
        user_id = UUID(payload["u"])
        fingerprint = str(payload["p"])
    except (BadData, KeyError, TypeError, ValueError) as error:
        raise LinkError(INVALID) from error
    if (now or datetime.now(UTC)) - signed_at > LINK_LIFETIME:
        raise LinkError(EXPIRED)
    return user_id, fingerprint


async def check_link(token: str, now: datetime | None = None) -> dict[str, object]:
    """The user (id, email, display_name) a link is for; LinkError when it cannot be used."""
    user_id, fingerprint = _read(token, now)
    row = await User.select(User.id, User.email, User.display_name, User.password_hash,
                            User.is_active).where(User.id == user_id).first()
    if row is None or not row["is_active"]:
        raise LinkError(INVALID)
    if not hmac.compare_digest(_fingerprint(row["password_hash"]), fingerprint):
        raise LinkError(USED)
    return {"id": row["id"], "email": row["email"], "display_name": row["display_name"]}


def _check_confirmation(password: str, confirmation: str) -> None:
    check_new_password(password)
    if password != confirmation:
        raise ReadableError(N_("The two passwords differ. Type the same password twice."))


async def set_password_with_link(token: str, password: str, confirmation: str,
                                 now: datetime | None = None, remote_addr: str = "") -> UUID:
    """Sets the password, ends every session and revokes every API token of the user; the link
    is spent afterwards."""
    await check_link(token, now)
    _check_confirmation(password, confirmation)
    user_id, fingerprint = _read(token, now)
    new_hash = await anyio.to_thread.run_sync(hash_password, password)
    async with atomic():
        row = await User.select(User.password_hash).where(User.id == user_id).first()
        # Checked again inside the transaction: of two uses at the same moment only one wins.
        if row is None or not hmac.compare_digest(_fingerprint(row["password_hash"]),
                                                  fingerprint):
            raise LinkError(USED)
        changed = await User.update({User.password_hash: new_hash}).where(
            (User.id == user_id) & (User.password_hash == row["password_hash"])
        ).returning(User.id)
        if not changed:
            raise LinkError(USED)
        await LoginSession.delete().where(LoginSession.user == user_id)
        revoked = await revoke_all_tokens(user_id, None)
        await record_admin("password.set_by_link", user_id, Acting(None, remote_addr, "link"),
                           {"tokens_revoked": revoked})
    auth_cache.forget_all()
    return user_id


async def change_own_password(user_id: UUID, current: str, password: str, confirmation: str,
                              session_token: str | None, *, keep_tokens: bool = False,
                              by: Acting = SYSTEM) -> int:
    """Needs the current password; other sessions of the user end, this one stays open. The
    API tokens are revoked unless `keep_tokens`; returns how many were."""
    row = await User.select(User.password_hash).where(User.id == user_id).first()
    if row is None or not await verify_password_async(row["password_hash"], current):
        raise ReadableError(N_("The current password is not correct."))
    _check_confirmation(password, confirmation)
    new_hash = await anyio.to_thread.run_sync(hash_password, password)
    async with atomic():
        await User.update({User.password_hash: new_hash}).where(User.id == user_id)
        others = LoginSession.delete().where(LoginSession.user == user_id)
        if session_token:
            others = others.where(LoginSession.token_hash != digest(session_token))
        await others
        revoked = 0 if keep_tokens else await revoke_all_tokens(user_id, None)
        await record_admin("password.change", user_id, by,
                           {"tokens_revoked": revoked, "kept_tokens": keep_tokens})
    auth_cache.forget_all()
    return revoked
