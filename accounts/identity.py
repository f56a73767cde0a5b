"""Who is asking: the logged-in user with their memberships, loaded once per request."""

from __future__ import annotations

from uuid import UUID

import msgspec

from accounts.roles import Role
from accounts.tables import Membership, User


class MembershipInfo(msgspec.Struct, frozen=True):
    organization_id: UUID
    organization_name: str
    role: str


class CurrentUser(msgspec.Struct, frozen=True):
    id: UUID
    email: str
    display_name: str
    locale: str
    memberships: list[MembershipInfo]

    def has_role(self, *roles: str) -> bool:
        return any(m.role in roles for m in self.memberships)

    def org_ids_with(self, *roles: str) -> set[UUID]:
        return {m.organization_id for m in self.memberships if m.role in roles}

    def roles_in(self, organization_id: UUID) -> set[str]:
        return {m.role for m in self.memberships if m.organization_id == organization_id}

    @property
    def organization_ids(self) -> set[UUID]:
        return {m.organization_id for m in self.memberships}

    @property
    def is_network_admin(self) -> bool:
        return self.has_role(Role.NETWORK_ADMIN)


async def load_user(user_id: UUID) -> CurrentUser | None:
    user = (
        await User.select(User.id, User.email, User.display_name, User.locale, User.is_active)
        .where(User.id == user_id)
        .first()
    )
    if user is None or not user["is_active"]:
        return None
    # The organisation's name comes along the foreign key in the same query: this runs on every
    # request, and the identity must not wait for (or import) the directory.
    rows = await Membership.select(
        Membership.organization, Membership.organization.name, Membership.role
    ).where(Membership.user == user_id)
    memberships = [
        MembershipInfo(
            organization_id=row["organization"],
            organization_name=row["organization.name"] or "",
            role=row["role"],
        )
        for row in rows
    ]
    return CurrentUser(
        id=user["id"],
        email=user["email"],
        display_name=user["display_name"],
        locale=user["locale"],
        memberships=memberships,
    )
