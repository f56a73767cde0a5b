"""Giving the role network_admin back from the command line (`lotse users grant-admin`).

It only ever adds an administrator, so no last-admin rule stands in its way: whatever happened
on the pages, the operator of the server can always restore one.
"""

from __future__ import annotations

from uuid import UUID

from accounts import auth_cache
from accounts.admin_audit import Acting, record_admin
from accounts.last_admin import lock_memberships
from accounts.organizations import open_organization_name
from accounts.roles import Role
from accounts.tables import Membership, User
from core.db import atomic
from core.errors import NotFoundError, ReadableError
from core.i18n import N_

NAME_AN_ORGANIZATION = N_(
    "This person has no role in an organisation that is not retired. Name the organisation "
    "in which they shall be network administrator."
)


async def grant_network_admin(user_id: UUID, organization_id: UUID | None,
                              by: Acting) -> str:
    """Makes the user an active network administrator, whatever the last-admin rules say (it
    only adds one): reactivates the account, and turns their role in the organisation (by
    default the one organisation they belong to) into network_admin. Returns its name."""
    async with atomic():
        await lock_memberships()
        user = await User.select(User.is_active).where(User.id == user_id).first()
        if user is None:
            raise NotFoundError(N_("There is no user with the id {id}."), id=user_id)
        rows = await Membership.select(
            Membership.id, Membership.organization, Membership.role,
            Membership.organization.retired_at,
        ).where(Membership.user == user_id)
        if organization_id is None:
            open_ones = [row for row in rows if row["organization.retired_at"] is None]
            if len(open_ones) != 1:
                raise ReadableError(NAME_AN_ORGANIZATION)
            organization_id = open_ones[0]["organization"]
        name = await open_organization_name(organization_id)
        if not user["is_active"]:
            await User.update({User.is_active: True}).where(User.id == user_id)
            await record_admin("user.activate", user_id, by)
        existing = next((row for row in rows if row["organization"] == organization_id), None)
        if existing is None:
            membership = Membership(user=user_id, organization=organization_id,
                                    role=Role.NETWORK_ADMIN)
            await membership.save()
            await record_admin("membership.add", user_id, by,
                               {"membership_id": membership.id, "role": Role.NETWORK_ADMIN},
                               organization_id)
        elif existing["role"] != Role.NETWORK_ADMIN:
            await Membership.update({Membership.role: Role.NETWORK_ADMIN}).where(
                Membership.id == existing["id"])
            await record_admin("membership.change", user_id, by,
                               {"membership_id": existing["id"], "from": existing["role"],
                                "to": Role.NETWORK_ADMIN}, organization_id)
    auth_cache.forget_all()
    return name
