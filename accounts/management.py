"""Managing users and memberships: what network administrators (and the command line) may do.

Every change runs in one transaction, with its audit entry (`accounts.admin_audit`). Changes that
could leave the network without an active network administrator are refused (`accounts.last_admin`).
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import anyio.to_thread
from asyncpg.exceptions import UniqueViolationError
from msgspec import UNSET, UnsetType
from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count

from accounts import auth_cache
from accounts.admin_audit import SYSTEM, Acting, record_admin
from accounts.credentials import revoke_all_tokens
from accounts.last_admin import (
    LAST_ADMIN,
    active_admins_besides,
    check_can_deactivate,
    lock_memberships,
    of_active_user,
)
from accounts.organizations import (
    find_organizations,
    open_organization_name,
    organization_names,
)
from accounts.passwords import MIN_PASSWORD_LENGTH, hash_password
from accounts.roles import ROLES, Role
from accounts.schemas import MembershipOut, OrganizationMembers, UserOut
from accounts.tables import LoginSession, Membership, User
from core.db import atomic, contains_pattern
from core.errors import ConflictError, NotFoundError, ReadableError
from core.i18n import LANGUAGES, N_
from core.validation import is_one_line

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MAX_EMAIL_LENGTH = 254
MAX_PASSWORD_LENGTH = 1024


@dataclass(frozen=True)
class UserFilter:
    organization_id: UUID | None = None
    role: str | None = None
    email: str | None = None
    is_active: bool | None = None


def normalise_email(email: str) -> str:
    address = email.strip().lower()
    if len(address) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.match(address):
        raise ReadableError(
            N_("“{email}” is not an e-mail address. Use the form name@example.org."),
            email=email.strip()[:80],
        )
    return address


def check_display_name(display_name: str) -> str:
    name = display_name.strip()
    if not name:
        raise ReadableError(N_("Enter the person's name."))
    if len(name) > 255:
        raise ReadableError(N_("The name may have at most 255 characters."))
    if not is_one_line(name):
        raise ReadableError(N_("Enter the name on one line, without line breaks or control "
                               "characters."))
    return name


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ReadableError(
            N_("The password must have at least {count} characters."), count=MIN_PASSWORD_LENGTH
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ReadableError(
            N_("The password may have at most {count} characters."), count=MAX_PASSWORD_LENGTH
        )


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ReadableError(
            N_("Unknown role “{role}”. Use one of: {roles}."), role=role[:30],
            roles=", ".join(ROLES),
        )
    return role


def check_locale(locale: str) -> str:
    if locale not in LANGUAGES:
        raise ReadableError(N_("Unknown language “{locale}”. Use de or en."),
                            locale=locale[:10])
    return locale


def unusable_password_hash() -> str:
    """Stored until the person sets a password through a link: no password matches it."""
    return "!unset:" + secrets.token_hex(16)


async def create_member(
    email: str, display_name: str, password: str | None,
    memberships: list[tuple[UUID, str]], locale: str = "de", by: Acting = SYSTEM,
) -> UUID:
    address = normalise_email(email)
    name = check_display_name(display_name)
    check_locale(locale)
    if password is not None:
        check_new_password(password)
    seen: set[UUID] = set()
    for organization_id, role in memberships:
        check_role(role)
        if organization_id in seen:
            raise ReadableError(
                N_("Each organisation may appear only once; a person has one role in each."))
        seen.add(organization_id)
    password_hash = (await anyio.to_thread.run_sync(hash_password, password)
                     if password is not None else unusable_password_hash())
    async with atomic():
        await lock_memberships()
        for organization_id, _role in memberships:
            await open_organization_name(organization_id)
        if await User.exists().where(User.email == address):
            raise ConflictError(N_("A user with the e-mail {email} exists already."), email=address)
        user = User(email=address, display_name=name, password_hash=password_hash, locale=locale)
        try:
            await user.save()
        except (UniqueViolationError, sqlite3.IntegrityError) as error:
            raise ConflictError(N_("A user with the e-mail {email} exists already."),
                           email=address) from error
        for organization_id, role in memberships:
            await Membership(user=user.id, organization=organization_id, role=role).save()
        await record_admin("user.create", user.id, by, {
            "memberships": [{"organization_id": org, "role": role} for org, role in memberships],
            "password_set": password is not None,
        })
    return user.id


async def memberships_of(user_ids: list[UUID]) -> dict[UUID, list[MembershipOut]]:
    """Each user's memberships, ordered by the organisation's name."""
    found: dict[UUID, list[MembershipOut]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return found
    rows = await Membership.select(
        Membership.id, Membership.user, Membership.organization, Membership.role,
    ).where(Membership.user.is_in(user_ids))
    names = await organization_names(row["organization"] for row in rows)
    for row in sorted(rows, key=lambda row: names.get(row["organization"], "")):
        found[row["user"]].append(MembershipOut(
            id=row["id"], organization_id=row["organization"],
            organization_name=names.get(row["organization"], ""), role=row["role"],
        ))
    return found


USER_COLUMNS = (User.id, User.email, User.display_name, User.is_active, User.locale,
                User.created_at, User.last_login_at)


def _user_out(row: dict[str, Any], memberships: list[MembershipOut]) -> UserOut:
    return UserOut(
        id=row["id"], email=row["email"], display_name=row["display_name"],
        is_active=row["is_active"], locale=row["locale"], created_at=row["created_at"],
        last_login_at=row["last_login_at"], memberships=memberships,
    )


async def get_member(user_id: UUID) -> UserOut:
    row = await User.select(*USER_COLUMNS).where(User.id == user_id).first()
    if row is None:
        raise NotFoundError(N_("There is no user with the id {id}."), id=user_id)
    return _user_out(row, (await memberships_of([user_id]))[user_id])


async def list_members(found: UserFilter, offset: int, limit: int) -> tuple[list[UserOut], int]:
    conditions: list[Any] = []
    if found.role is not None:
        check_role(found.role)
    if found.organization_id is not None or found.role is not None:
        # The organisation and the role must match in the same membership.
        membership_where: Any = None
        if found.organization_id is not None:
            membership_where = Membership.organization == found.organization_id
        if found.role is not None:
            by_role = Membership.role == found.role
            membership_where = by_role if membership_where is None else membership_where & by_role
        conditions.append(User.id.is_in(Membership.select(Membership.user)
                                        .where(membership_where)))
    if found.email:
        conditions.append(WhereRaw("lotse_user.email LIKE {} ESCAPE '\\'",
                                   contains_pattern(found.email.strip().lower())))
    if found.is_active is not None:
        conditions.append(User.is_active == found.is_active)
    query = User.select(*USER_COLUMNS).order_by(User.email).offset(offset).limit(limit)
    count = User.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query
    total = await count
    memberships = await memberships_of([row["id"] for row in rows])
    return [_user_out(row, memberships[row["id"]]) for row in rows], total


async def update_member(
    user_id: UUID, *, by: Acting,
    display_name: str | UnsetType = UNSET, is_active: bool | UnsetType = UNSET,
    locale: str | UnsetType = UNSET,
) -> UserOut:
    changes: dict[Any, Any] = {}
    if display_name is not UNSET:
        changes[User.display_name] = check_display_name(display_name)
    if locale is not UNSET:
        changes[User.locale] = check_locale(locale)
        changes[User.locale_chosen] = True
    async with atomic():
        await lock_memberships()
        row = await User.select(User.is_active).where(User.id == user_id).first()
        if row is None:
            raise NotFoundError(N_("There is no user with the id {id}."), id=user_id)
        fields = sorted(column._meta.name for column in changes)
        if fields:
            await record_admin("user.update", user_id, by, {"fields": fields})
        if is_active is False and row["is_active"]:
            await check_can_deactivate(user_id, by.user_id)
            changes[User.is_active] = False
            revoked = await end_access(user_id)
            await record_admin("user.deactivate", user_id, by, {"tokens_revoked": revoked})
        elif is_active is True and not row["is_active"]:
            changes[User.is_active] = True
            await record_admin("user.activate", user_id, by)
        if changes:
            await User.update(changes).where(User.id == user_id)
    auth_cache.forget_all()
    return await get_member(user_id)


async def end_access(user_id: UUID) -> int:
    """Closes every session and revokes every API token of the user; returns the tokens revoked."""
    await LoginSession.delete().where(LoginSession.user == user_id)
    return await revoke_all_tokens(user_id, None)


async def add_membership(user_id: UUID, organization_id: UUID, role: str,
                         by: Acting = SYSTEM) -> MembershipOut:
    check_role(role)
    async with atomic():
        await lock_memberships()
        if not await User.exists().where(User.id == user_id):
            raise NotFoundError(N_("There is no user with the id {id}."), id=user_id)
        name = await open_organization_name(organization_id)
        existing = await Membership.select(Membership.role).where(
            (Membership.user == user_id) & (Membership.organization == organization_id)
        ).first()
        if existing is not None:
            raise ConflictError(
                N_("This person is already a member of {organization} with the role {role}. "
                   "Remove that membership first to give another role."),
                organization=name, role=existing["role"],
            )
        membership = Membership(user=user_id, organization=organization_id, role=role)
        await membership.save()
        await record_admin("membership.add", user_id, by,
                           {"membership_id": membership.id, "role": role}, organization_id)
    auth_cache.forget_all()
    return MembershipOut(id=membership.id, organization_id=organization_id,
                         organization_name=name, role=role)


async def remove_membership(user_id: UUID, membership_id: UUID, by: Acting = SYSTEM) -> None:
    async with atomic():
        await lock_memberships()
        row = await Membership.select(
            Membership.role, Membership.organization, Membership.user.is_active,
            Membership.organization.retired_at,
        ).where(
            (Membership.id == membership_id) & (Membership.user == user_id)
        ).first()
        if row is None:
            raise NotFoundError(N_("This user has no membership with the id {id}."),
                                id=membership_id)
        if (row["role"] == Role.NETWORK_ADMIN and row["user.is_active"]
                and row["organization.retired_at"] is None
                and await active_admins_besides(membership_id=membership_id) == 0):
            raise ConflictError(LAST_ADMIN)
        await Membership.delete().where(Membership.id == membership_id)
        await record_admin("membership.remove", user_id, by,
                           {"membership_id": membership_id, "role": row["role"]},
                           row["organization"])
    auth_cache.forget_all()


async def find_member_id(email: str) -> UUID:
    row = await User.select(User.id).where(User.email == email.strip().lower()).first()
    if row is None:
        raise NotFoundError(N_("There is no user with the e-mail {email}."), email=email.strip())
    found: UUID = row["id"]
    return found


async def organization_overview(offset: int, limit: int, name: str | None = None,
                                ) -> tuple[list[OrganizationMembers], int]:
    """Organisations with the number of active members, per role and in total."""
    organizations, total = await find_organizations(name, offset, limit)
    ids = [organization.id for organization in organizations]
    per_role: dict[UUID, dict[str, int]] = {org_id: {} for org_id in ids}
    if ids:
        rows = await Membership.select(
            Membership.organization, Membership.role, Count(),
        ).where(
            Membership.organization.is_in(ids) & of_active_user()
        ).group_by(Membership.organization, Membership.role)
        for row in rows:
            per_role[row["organization"]][row["role"]] = row["count"]
    return [
        OrganizationMembers(
            id=organization.id, name=organization.name, kind=organization.kind,
            retired_at=organization.retired_at, roles=per_role[organization.id],
            members=sum(per_role[organization.id].values()),
        )
        for organization in organizations
    ], total
