"""Pages of user management for network administrators: users, memberships, organisations."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from accounts.admin_audit import Acting, acting_for
from accounts.credentials import revoke_all_tokens
from accounts.guards import current_user, network_admin
from accounts.management import (
    UserFilter,
    add_membership,
    create_member,
    get_member,
    list_members,
    organization_overview,
    remove_membership,
    update_member,
)
from accounts.organizations import organization_choices
from accounts.page_helpers import text, view, with_query
from accounts.password_links import issue_link
from accounts.roles import ROLES
from accounts.schemas import PasswordLink
from core import shown_once
from core.errors import ReadableError
from core.i18n import N_, gettext_for

PER_PAGE = 50


def _uuid(raw: str | None) -> UUID | None:
    if not raw:
        return None
    try:
        return UUID(raw)
    except ValueError:
        raise ReadableError(N_("“{value}” is not a valid id."), value=raw[:40]) from None


def _by(request: Request) -> Acting:
    return acting_for(request, current_user(request), "web")


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 100_000 else 1


@get("/users", operation_id="adminUsersPage")
async def users_page(
    request: Request, organization: FromQuery[str | None] = None,
    role: FromQuery[str | None] = None, email: FromQuery[str | None] = None,
    active: FromQuery[str | None] = None, page: FromQuery[str | None] = None,
) -> Template:
    number = _page_number(page)
    filters = {"organization": organization or "", "role": role or "", "email": email or "",
               "active": active or ""}
    items: list[Any] = []
    total = 0
    error = None
    try:
        found = UserFilter(
            organization_id=_uuid(organization), role=role or None,
            email=(email or "")[:255] or None,
            is_active={"true": True, "false": False}.get(active or ""),
        )
        items, total = await list_members(found, (number - 1) * PER_PAGE, PER_PAGE)
    except ReadableError as refused:
        error = refused.translated(gettext_for(request).gettext)
    pages = {
        "previous": with_query("/admin/users", {**filters, "page": number - 1})
        if number > 1 else None,
        "next": with_query("/admin/users", {**filters, "page": number + 1})
        if number * PER_PAGE < total else None,
    }
    return view(request, "accounts/admin_users.html", {
        "users": items, "total": total, "filters": filters, "error": error, "pages": pages,
        "page": number, "organizations": await organization_choices(), "roles": ROLES,
    }, status_code=400 if error else 200)


async def _new_user_form(request: Request, values: dict[str, str], error: str | None = None,
                         status_code: int = 200) -> Template:
    return view(request, "accounts/admin_user_new.html", {
        "values": values, "error": error, "organizations": await organization_choices(),
        "roles": ROLES,
    }, status_code=status_code)


@get("/users/new", operation_id="adminNewUserPage")
async def new_user_page(request: Request, organization: FromQuery[str | None] = None,
                        ) -> Template:
    return await _new_user_form(request, {"organization": organization or "",
                                          "role": "viewer", "locale": "de"})


@post("/users/new", operation_id="adminCreateUser")
async def create_user(request: Request) -> Response[Any]:
    form = await request.form()
    values = {name: text(form, name) for name in
              ("email", "display_name", "organization", "role", "locale")}
    password = text(form, "password", 1024)
    try:
        organization_id = _uuid(values["organization"])
        memberships = [(organization_id, values["role"])] if organization_id else []
        user_id = await create_member(values["email"], values["display_name"],
                                      password or None, memberships, values["locale"] or "de",
                                      _by(request))
    except ReadableError as refused:
        return await _new_user_form(request, values,
                                    refused.translated(gettext_for(request).gettext),
                                    status_code=refused.status_code)
    if password:
        return Redirect(f"/admin/users/{user_id}?done=created", status_code=303)
    link = await issue_link(user_id, _by(request))
    return _with_link(user_id, link, "created")


def _with_link(user_id: UUID, link: PasswordLink, done: str) -> Redirect:
    """The user's page shows the new password link once, after the redirect."""
    return shown_once.redirect_with(
        f"/admin/users/{user_id}", {"link": link.link, "expires_at": link.expires_at.isoformat()},
        f"done={done}")


def _link_from(shown: dict[str, str]) -> PasswordLink | None:
    try:
        return PasswordLink(link=shown["link"],
                            expires_at=datetime.fromisoformat(shown["expires_at"]))
    except (KeyError, ValueError):
        return None


async def _user_view(request: Request, user_id: UUID, *, done: str | None = None,
                     error: str | None = None, password_link: Any = None,
                     status_code: int = 200) -> Template:
    try:
        member = await get_member(user_id)
    except ReadableError as missing:
        raise missing.http() from missing
    return view(request, "accounts/admin_user.html", {
        "member": member, "done": done, "error": error, "password_link": password_link,
        "organizations": await organization_choices(), "roles": ROLES,
        "is_self": member.id == current_user(request).id,
    }, status_code=status_code, secret=password_link is not None)


@get("/users/{user_id:uuid}", operation_id="adminUserPage")
async def user_page(request: Request, user_id: FromPath[UUID],
                    done: FromQuery[str | None] = None) -> Template:
    shown = shown_once.taken(request)
    link = _link_from(shown) if shown else None
    if link is None:
        return await _user_view(request, user_id, done=done)
    return shown_once.forget(await _user_view(request, user_id, done=done, password_link=link),
                             f"/admin/users/{user_id}")


async def _after(request: Request, user_id: UUID, work: Any, done: str) -> Response[Any]:
    """Runs a change; back to the user's page with a notice, or the page with the reason."""
    try:
        await work
    except ReadableError as refused:
        # An unknown user ends in a 404 page inside _user_view.
        return await _user_view(request, user_id,
                                error=refused.translated(gettext_for(request).gettext),
                                status_code=refused.status_code)
    return Redirect(f"/admin/users/{user_id}?done={done}", status_code=303)


@post("/users/{user_id:uuid}", operation_id="adminUpdateUser")
async def update_user(request: Request, user_id: FromPath[UUID]) -> Response[Any]:
    form = await request.form()
    return await _after(request, user_id, update_member(
        user_id, by=_by(request), display_name=text(form, "display_name"),
        locale=text(form, "locale", 5),
    ), "saved")


@post("/users/{user_id:uuid}/deactivate", operation_id="adminDeactivateUser")
async def deactivate_user(request: Request, user_id: FromPath[UUID]) -> Response[Any]:
    return await _after(request, user_id, update_member(
        user_id, by=_by(request), is_active=False), "deactivated")


@post("/users/{user_id:uuid}/activate", operation_id="adminActivateUser")
async def activate_user(request: Request, user_id: FromPath[UUID]) -> Response[Any]:
    return await _after(request, user_id, update_member(
        user_id, by=_by(request), is_active=True), "activated")


async def _add(user_id: UUID, organization: str, role: str, by: Acting) -> None:
    organization_id = _uuid(organization)
    if organization_id is None:
        raise ReadableError(N_("Choose an organisation."))
    await add_membership(user_id, organization_id, role, by)


@post("/users/{user_id:uuid}/memberships", operation_id="adminAddMembership")
async def add_membership_form(request: Request, user_id: FromPath[UUID]) -> Response[Any]:
    form = await request.form()
    return await _after(request, user_id,
                        _add(user_id, text(form, "organization"), text(form, "role", 30),
                             _by(request)),
                        "membership-added")


@post("/users/{user_id:uuid}/memberships/{membership_id:uuid}/delete",
      operation_id="adminRemoveMembership")
async def remove_membership_form(request: Request, user_id: FromPath[UUID],
                                 membership_id: FromPath[UUID]) -> Response[Any]:
    return await _after(request, user_id, remove_membership(user_id, membership_id, _by(request)),
                        "membership-removed")


@post("/users/{user_id:uuid}/password-link", operation_id="adminPasswordLink")
async def password_link_form(request: Request, user_id: FromPath[UUID]) -> Response[Any]:
    try:
        link = await issue_link(user_id, _by(request))
    except ReadableError as refused:
        return await _user_view(request, user_id,
                                error=refused.translated(gettext_for(request).gettext),
                                status_code=refused.status_code)
    return _with_link(user_id, link, "link")


async def _revoke_all(user_id: UUID, by: Acting) -> None:
    await get_member(user_id)
    await revoke_all_tokens(user_id, by)


@post("/users/{user_id:uuid}/tokens/revoke-all", operation_id="adminRevokeUserTokens")
async def revoke_tokens_form(request: Request, user_id: FromPath[UUID]) -> Response[Any]:
    return await _after(request, user_id, _revoke_all(user_id, _by(request)), "tokens-revoked")


@get("/organizations", operation_id="adminOrganizationsPage")
async def organizations_page(request: Request, name: FromQuery[str | None] = None,
                             page: FromQuery[str | None] = None) -> Template:
    number = _page_number(page)
    rows, total = await organization_overview((number - 1) * PER_PAGE, PER_PAGE,
                                              (name or "")[:255] or None)
    pages = {
        "previous": with_query("/admin/organizations", {"name": name, "page": number - 1})
        if number > 1 else None,
        "next": with_query("/admin/organizations", {"name": name, "page": number + 1})
        if number * PER_PAGE < total else None,
    }
    return view(request, "accounts/admin_organizations.html", {
        "organizations": rows, "total": total, "name": name or "", "pages": pages,
        "roles": ROLES,
    })


# Every page here is for network administrators only.
ROUTES = [Router(
    path="/admin", guards=[network_admin], include_in_schema=False,
    route_handlers=[users_page, new_user_page, create_user, user_page, update_user,
                    deactivate_user, activate_user, add_membership_form, remove_membership_form,
                    password_link_form, revoke_tokens_form, organizations_page],
)]
