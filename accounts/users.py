"""Creating and listing users and memberships (for the command line, the demo and the tests).

The checks of the administration pages live in `accounts.management`; these are for set-up.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import anyio.to_thread
import msgspec

from accounts.admin_audit import Acting, record_admin
from accounts.organizations import open_organization_name, organization_names
from accounts.passwords import MIN_PASSWORD_LENGTH, hash_password
from accounts.roles import ROLES
from accounts.tables import Membership, User
from core.db import atomic
from core.errors import ReadableError

# Rows per multi-row INSERT: below SQLite's historic limit of 999 bound parameters.
_USERS_PER_INSERT = 100


class UserError(ValueError):
    pass


async def create_user(
    email: str, display_name: str, password: str,
    memberships: list[tuple[UUID, str]] | None = None, locale: str = "de",
    by: Acting | None = None,
) -> UUID:
    """`by` names who creates the user (the command line), for the audit log; set-up code such
    as the demo and tests passes none."""
    email = email.strip().lower()
    if "@" not in email:
        raise UserError(f"{email!r} is not an e-mail address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters")
    known = await organization_names(org_id for org_id, _role in memberships or [])
    for organization_id, role in memberships or []:
        if role not in ROLES:
            raise UserError(f"Unknown role {role!r}; use one of {', '.join(ROLES)}")
        if organization_id not in known:
            raise UserError(f"No organisation with id {organization_id}")
        if by is not None:
            # A person created by hand joins a live organisation, as on the pages.
            try:
                await open_organization_name(organization_id)
            except ReadableError as refused:
                raise UserError(str(refused)) from refused
    async with atomic():
        if await User.exists().where(User.email == email):
            raise UserError(f"A user with the e-mail {email} exists already")
        user = User(email=email, display_name=display_name, password_hash=hash_password(password),
                    locale=locale)
        await user.save()
        for organization_id, role in memberships or []:
            await Membership(user=user.id, organization=organization_id, role=role).save()
        if by is not None:
            await record_admin("user.create", user.id, by, {
                "memberships": [{"organization_id": org, "role": role}
                                for org, role in memberships or []],
                "password_set": True,
            })
    return user.id


async def find_user_id(email: str) -> UUID | None:
    row = await User.select(User.id).where(User.email == email.strip().lower()).first()
    return row["id"] if row else None


@dataclass(frozen=True)
class Member:
    user_id: UUID
    email: str
    display_name: str
    locale: str
    organization_id: UUID


async def members_with_role(role: str, organization_ids: list[UUID] | None = None) -> list[Member]:
    """Active users holding `role`, one entry per organisation (for mailings by other domains)."""
    query = Membership.select(
        Membership.user, Membership.user.email, Membership.user.display_name,
        Membership.user.locale, Membership.organization,
    ).where(Membership.role == role, Membership.user.is_active == True)  # noqa: E712
    if organization_ids is not None:
        if not organization_ids:
            return []
        query = query.where(Membership.organization.is_in(organization_ids))
    rows = await query.order_by(Membership.user.email)
    return [
        Member(user_id=row["user"], email=row["user.email"],
               display_name=row["user.display_name"], locale=row["user.locale"],
               organization_id=row["organization"])
        for row in rows
    ]


class MembershipListing(msgspec.Struct, frozen=True):
    """One role of one user in one organisation."""

    user_id: UUID
    email: str
    role: str
    organization_id: UUID
    organization_name: str


async def list_memberships() -> list[MembershipListing]:
    """Every membership, by the user's e-mail."""
    rows = await Membership.select(
        Membership.user, Membership.user.email, Membership.role, Membership.organization,
    ).order_by(Membership.user.email)
    names = await organization_names(row["organization"] for row in rows)
    return [
        MembershipListing(user_id=row["user"], email=row["user.email"], role=row["role"],
                          organization_id=row["organization"],
                          organization_name=names.get(row["organization"], ""))
        for row in rows
    ]


class NewUser(msgspec.Struct, frozen=True):
    """A user with fixed ids and one membership, for loads such as the demo network."""

    id: UUID
    email: str
    display_name: str
    organization_id: UUID
    role: str
    membership_id: UUID


class SharedPassword(msgspec.Struct, frozen=True):
    """One password hashed once for many users: argon2 is slow on purpose."""

    password_hash: str


class UserCount(msgspec.Struct, frozen=True):
    listed: int
    others: int


async def shared_password(password: str) -> SharedPassword:
    """Hashed outside any transaction, so no write lock waits for it."""
    return SharedPassword(await anyio.to_thread.run_sync(hash_password, password))


async def add_users(users: Sequence[NewUser], password: SharedPassword,
                    created_at: datetime) -> None:
    """Inserts the users and their memberships (inside the caller's transaction); the ids are
    the caller's, so a second load would find the same rows."""
    for start in range(0, len(users), _USERS_PER_INSERT):
        batch = users[start:start + _USERS_PER_INSERT]
        await User.insert(*[
            User(id=user.id, email=user.email, display_name=user.display_name,
                 password_hash=password.password_hash, created_at=created_at)
            for user in batch
        ])
        await Membership.insert(*[
            Membership(id=user.membership_id, user=user.id, organization=user.organization_id,
                       role=user.role)
            for user in batch
        ])


async def count_users(ids: Collection[UUID]) -> UserCount:
    """How many users there are among `ids`, and how many others."""
    wanted = list(ids)
    return UserCount(
        listed=await User.count().where(User.id.is_in(wanted)) if wanted else 0,
        others=await User.count().where(User.id.not_in(wanted)) if wanted else await User.count(),
    )
