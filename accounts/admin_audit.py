"""Audit entries of account administration, in the same hash chain as reads of personal data.

Who created, changed, deactivated or reactivated a user, gave or took a role, issued a password
link or an API token, revoked tokens or changed a password. Each entry is written in the
transaction of the change, so a refused change leaves none. Details hold ids, roles and field
names, never passwords, links or token values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar import Request

from accounts import audit
from accounts.identity import CurrentUser
from core.web import client_address


@dataclass(frozen=True)
class Acting:
    """Who makes an account change, and through which door (web, api, cli, system)."""

    user: CurrentUser | None
    remote_addr: str = ""
    via: str = "system"

    @property
    def user_id(self) -> UUID | None:
        return self.user.id if self.user else None


# The command line is run by whoever operates the server: no user, but recorded as such.
CLI = Acting(None, "", "cli")
SYSTEM = Acting(None, "", "system")


def acting_for(request: Request[Any, Any, Any], user: CurrentUser, via: str) -> Acting:
    return Acting(user, client_address(request), via)


async def record_admin(action: str, target_user: UUID, by: Acting,
                       detail: dict[str, Any] | None = None,
                       organization: UUID | None = None) -> None:
    """One entry about `target_user`; `organization` is the one a role change concerns.

    Without a logged-in actor (a password link, the command line) the entry names no person,
    except that a link is used by the person it was issued to.
    """
    await audit.record(
        action, "user", target_user, by.user, organization, {**(detail or {}), "via": by.via},
        by.remote_addr, actor_user=target_user if by.via == "link" else None,
    )
