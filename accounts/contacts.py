"""Who to tell: the active members of an organisation with a role, and one user's address."""

from __future__ import annotations

from uuid import UUID

import msgspec

from accounts.tables import Membership, User


class Contact(msgspec.Struct, frozen=True):
    user_id: UUID
    email: str
    display_name: str
    locale: str


async def members_with_role(organization_id: UUID, *roles: str) -> list[Contact]:
    rows = await Membership.select(
        Membership.user.id,
        Membership.user.email,
        Membership.user.display_name,
        Membership.user.locale,
        Membership.user.is_active,
    ).where((Membership.organization == organization_id) & Membership.role.is_in(list(roles)))
    seen: dict[UUID, Contact] = {}
    for row in rows:
        if row["user.is_active"] and row["user.id"] not in seen:
            seen[row["user.id"]] = Contact(
                row["user.id"], row["user.email"], row["user.display_name"], row["user.locale"]
            )
    return list(seen.values())


async def contact_of(user_id: UUID) -> Contact | None:
    row = (
        await User.select(User.id, User.email, User.display_name, User.locale, User.is_active)
        .where(User.id == user_id)
        .first()
    )
    if row is None or not row["is_active"]:
        return None
    return Contact(row["id"], row["email"], row["display_name"], row["locale"])
