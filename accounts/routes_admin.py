"""JSON API of user management, for network administrators only."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from accounts.admin_audit import Acting, acting_for
from accounts.credentials import revoke_all_tokens
from accounts.guards import current_user, network_admin
from accounts.management import (
    UserFilter,
    add_membership,
    create_member,
    get_member,
    list_members,
    remove_membership,
    update_member,
)
from accounts.password_links import issue_link
from accounts.schemas import (
    CreatedUser,
    MembershipCreate,
    MembershipOut,
    PasswordLink,
    RevokedTokens,
    UserCreate,
    UserOut,
    UserUpdate,
)
from core.errors import ReadableError
from core.web import Page, page_params

T = TypeVar("T")


def _by(request: Request) -> Acting:
    return acting_for(request, current_user(request), "api")


async def answer(work: Awaitable[T]) -> T:
    """Turns a refused account change into the matching 4xx answer."""
    try:
        return await work
    except ReadableError as error:
        raise error.http() from error


class UserAdminController(Controller):
    path = "/api/users"
    guards = [network_admin]
    tags = ["user administration"]

    @get("/", operation_id="listUsers")
    async def list_users(
        self, organization: FromQuery[UUID | None] = None, role: FromQuery[str | None] = None,
        email: FromQuery[str | None] = None, active: FromQuery[bool | None] = None,
        page: FromQuery[int] = 1, per_page: FromQuery[int] = 50,
    ) -> Page[UserOut]:
        """List users.

        Users, ordered by e-mail; `email` matches a part of the address.
        """
        offset, limit = page_params(page, per_page)
        found = UserFilter(organization_id=organization, role=role,
                           email=(email or "")[:255] or None, is_active=active)
        items, total = await answer(list_members(found, offset, limit))
        return Page(items=items, total=total, page=page, per_page=limit)

    @post("/", operation_id="createUser", status_code=HTTP_201_CREATED)
    async def create_user(self, request: Request, data: JSONBody[UserCreate]) -> CreatedUser:
        """Create a user.

        Without a password, the answer carries a link where the person sets one (once).
        """
        user_id = await answer(create_member(
            data.email, data.display_name, data.password,
            [(m.organization_id, m.role) for m in data.memberships], data.locale, _by(request),
        ))
        link = await answer(issue_link(user_id, _by(request))) if data.password is None else None
        return CreatedUser(user=await answer(get_member(user_id)), password_link=link)

    @get("/{user_id:uuid}", operation_id="getUser")
    async def get_user(self, user_id: FromPath[UUID]) -> UserOut:
        """Read one user.

        A user with their memberships (organisation and role) and whether the account is active;
        network admins only.
        """
        return await answer(get_member(user_id))

    @patch("/{user_id:uuid}", operation_id="updateUser")
    async def update_user(self, request: Request, user_id: FromPath[UUID],
                          data: JSONBody[UserUpdate]) -> UserOut:
        """Change a user.

        Deactivating closes the user's sessions and revokes their API tokens.
        """
        return await answer(update_member(
            user_id, by=_by(request), display_name=data.display_name,
            is_active=data.is_active, locale=data.locale,
        ))

    @post("/{user_id:uuid}/memberships", operation_id="addMembership",
          status_code=HTTP_201_CREATED)
    async def add_membership(self, request: Request, user_id: FromPath[UUID],
                             data: JSONBody[MembershipCreate]) -> MembershipOut:
        """Give a user a role.

        Adds a role in an organisation to the user (network admins only); written to the audit
        log.
        """
        return await answer(add_membership(user_id, data.organization_id, data.role,
                                           _by(request)))

    @delete("/{user_id:uuid}/memberships/{membership_id:uuid}", operation_id="removeMembership",
            status_code=HTTP_204_NO_CONTENT)
    async def remove_membership(self, request: Request, user_id: FromPath[UUID],
                                membership_id: FromPath[UUID]) -> None:
        """Take a role away.

        Refused (409) when it would leave the network without an active network admin.
        """
        await answer(remove_membership(user_id, membership_id, _by(request)))

    @post("/{user_id:uuid}/password-link", operation_id="createPasswordLink",
          status_code=HTTP_201_CREATED)
    async def create_password_link(self, request: Request,
                                   user_id: FromPath[UUID]) -> PasswordLink:
        """Issue a password link.

        A signed link where the user sets a new password; valid for three days, once.
        """
        return await answer(issue_link(user_id, _by(request)))

    @post("/{user_id:uuid}/tokens/revoke-all", operation_id="revokeUserTokens")
    async def revoke_user_tokens(self, request: Request,
                                 user_id: FromPath[UUID]) -> RevokedTokens:
        """Revoke a user's API tokens.

        Revokes every active API token of the user (e.g. when one may have leaked).
        """
        await answer(get_member(user_id))
        return RevokedTokens(revoked=await revoke_all_tokens(user_id, _by(request)))


ROUTES = [UserAdminController]
