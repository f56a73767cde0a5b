"""The rule that keeps the network administrable: there is always an active network admin.

One counts active users with the role network_admin in an organisation that is not retired.
Removing the last one's role, deactivating them, or retiring the organisation all of them belong
to is refused. Membership and activation changes are serialised by one lock, so two changes can
never each count the other as the remaining admin. Only tables and the kernel are imported here:
the directory asks `holds_last_admins` while it retires an organisation, and `accounts.api`
would lead back into the directory.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from accounts.roles import Role
from accounts.tables import Membership, User
from core.db import is_sqlite
from core.errors import ConflictError
from core.i18n import N_

# Key of the PostgreSQL advisory lock that serialises membership and activation changes.
MEMBERSHIP_LOCK = 7_410_001


async def lock_memberships() -> None:
    # SQLite transactions from atomic() are IMMEDIATE and already one at a time.
    if not is_sqlite():
        await User.raw("SELECT pg_advisory_xact_lock({})", MEMBERSHIP_LOCK)


def of_active_user() -> Any:
    return Membership.user.is_active == True  # noqa: E712 - builds SQL, not a comparison


async def active_admins_besides(user_id: UUID | None = None,
                                membership_id: UUID | None = None,
                                organization_id: UUID | None = None) -> int:
    """Active users holding network_admin in an organisation that is not retired, not counting
    `user_id`, `membership_id` or memberships in `organization_id`."""
    where = ((Membership.role == Role.NETWORK_ADMIN) & of_active_user()
             & Membership.organization.retired_at.is_null())
    if organization_id is not None:
        where &= Membership.organization != organization_id
    if user_id is not None:
        where &= Membership.user != user_id
    if membership_id is not None:
        where &= Membership.id != membership_id
    rows = await Membership.select(Membership.user).where(where).distinct()
    return len(rows)


LAST_ADMIN = N_(
    "This is the last active network administrator. Give another person the role "
    "network_admin first, so that someone can still manage the network."
)


async def holds_last_admins(organization_id: UUID) -> bool:
    """Whether retiring `organization_id` would leave no active network administrator where
    there is one now; inside the caller's transaction, which then holds the membership lock."""
    await lock_memberships()
    return (await active_admins_besides(organization_id=organization_id) == 0
            and await active_admins_besides() > 0)


async def check_can_deactivate(user_id: UUID, actor_id: UUID | None) -> None:
    if user_id == actor_id:
        raise ConflictError(N_("You cannot deactivate your own account. Ask another network "
                                "administrator to do it."))
    is_admin = await Membership.exists().where(
        (Membership.user == user_id) & (Membership.role == Role.NETWORK_ADMIN)
    )
    if is_admin and await active_admins_besides(user_id=user_id) == 0:
        raise ConflictError(LAST_ADMIN)
