"""Guards: plain functions run before handlers. `authenticated` and `csrf_protected` run on all.

Guards are coroutines even where they await nothing: Litestar runs a plain function guard in
its thread pool, a hand-off that cost more than everything else of a cached `/api/me`.
"""

from __future__ import annotations

import secrets
from uuid import UUID

from litestar.connection import ASGIConnection, Request
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from accounts.identity import CurrentUser
from accounts.middleware import AuthInfo
from accounts.roles import Role
from core.i18n import N_
from core.web import FORM_EXPIRED, FormExpired

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def current_user(connection: ASGIConnection) -> CurrentUser:
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException("Please log in.")
    assert isinstance(user, CurrentUser)
    return user


async def authenticated(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    auth = connection.scope.get("auth")
    if isinstance(auth, AuthInfo) and auth.kind == "invalid_token":
        raise NotAuthorizedException("The API token is unknown or revoked.")
    if handler.opt.get("public") or connection.scope.get("path", "").startswith("/schema"):
        return
    if connection.scope.get("user") is None:
        raise NotAuthorizedException("Please log in.")


async def csrf_protected(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Cookie-based requests that change something must carry the CSRF token of the page."""
    if connection.scope.get("method") not in UNSAFE_METHODS:
        return
    if handler.opt.get("read_only"):
        # POST that only reads (the HSDS lists): nothing to forge, and no cross-site read.
        return
    auth = connection.scope.get("auth")
    if not isinstance(auth, AuthInfo) or auth.kind == "token":
        return
    sent = connection.headers.get("x-csrf-token")
    if sent is None and isinstance(connection, Request):
        content_type = connection.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await connection.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    if not sent or not secrets.compare_digest(sent, auth.csrf_token):
        raise FormExpired(FORM_EXPIRED)


def _require(connection: ASGIConnection, *roles: str) -> None:
    user = current_user(connection)
    if not user.has_role(*roles):
        raise PermissionDeniedException(N_("Your role does not allow this."))


async def network_admin(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    _require(connection, Role.NETWORK_ADMIN)


async def case_manager(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    _require(connection, Role.CASE_MANAGER)


async def provider_staff(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    _require(connection, Role.PROVIDER_STAFF, Role.NETWORK_ADMIN)


async def member(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    current_user(connection)


def require_role_in(user: CurrentUser, organization_id: UUID, *roles: str) -> None:
    """For checks that need the target organisation: the user must hold one of `roles` there."""
    if not user.roles_in(organization_id) & set(roles):
        raise PermissionDeniedException(N_("You can only do this for your own organisation."))
