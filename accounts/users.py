"""Creating users and memberships (used by the command line, the demo and the tests)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from accounts.passwords import MIN_PASSWORD_LENGTH, hash_password
from accounts.roles import ROLES
from accounts.tables import Membership, User
from core.db import atomic
from directory.tables import Organization


class UserError(ValueError):
    pass


async def create_user(
    email: str, display_name: str, password: str,
    memberships: list[tuple[UUID, str]] | None = None, locale: str = "de",
) -> UUID:
    email = email.strip().lower()
    if "@" not in email:
        raise UserError(f"{email!r} is not an e-mail address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters")
    for organization_id, role in memberships or []:
        if role not in ROLES:
            raise UserError(f"Unknown role {role!r}; use one of {', '.join(ROLES)}")
        if not await Organization.exists().where(Organization.id == organization_id):
            raise UserError(f"No organisation with id {organization_id}")
    async with atomic():
        if await User.exists().where(User.email == email):
            raise UserError(f"A user with the e-mail {email} exists already")
        user = User(email=email, display_name=display_name, password_hash=hash_password(password),
                    locale=locale)
        await user.save()
        for organization_id, role in memberships or []:
            await Membership(user=user.id, organization=organization_id, role=role).save()
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
