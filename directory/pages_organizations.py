"""Pages of the network coordination for organisations: create, edit, retire.

They go through the same writers and input structs as the JSON API, so the checks and the
outbox events are the same; refused input is shown again with what was typed.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from accounts.guards import current_user, network_admin
from core.errors import ReadableError
from core.i18n import N_, gettext_for
from core.templates import render
from directory import form_errors, organizations, queries
from directory.schemas import OrganizationCreate, OrganizationUpdate

# The kinds of network member the HSDS extension names; labels are translated in the template.
KINDS: tuple[tuple[str, str], ...] = (
    ("welfare", N_("Welfare organisation")),
    ("public_office", N_("Public office")),
    ("education", N_("Education provider")),
    ("volunteer", N_("Volunteer initiative")),
    ("club", N_("Club or association")),
    ("other", N_("Other")),
)
RETIRED = N_("This organisation has been retired and can no longer be changed.")
LAST_ADMINS = N_("Every active network administrator is a member of this organisation: retired, "
                 "nobody could manage the network any more. Give a person of another "
                 "organisation the role of network administrator first.")
CONFIRM = N_("Please tick the box to confirm that the organisation shall be retired.")
TEXT_FIELDS = ("name", "alternate_name", "kind", "description", "email", "website", "phone")


def _values(form: Any) -> dict[str, str]:
    # Longer input is cut a little above the limits, so the struct still names the field.
    return {name: str(form.get(name) or "").strip()[:20_001] for name in TEXT_FIELDS}


def _payload(values: dict[str, str], kept_phones: list[dict[str, Any]]) -> dict[str, Any]:
    if not values["name"]:
        raise ReadableError(N_("Please enter the name of the organisation."))
    phones = ([{"number": values["phone"][:51]}] if values["phone"] else []) + kept_phones
    return {
        "name": values["name"], "alternate_name": values["alternate_name"] or None,
        "kind": values["kind"] or "other", "description": values["description"],
        "email": values["email"] or None, "website": values["website"] or None,
        "phones": phones,
    }


def _form(request: Request, values: dict[str, str], *, organization: Any = None,
          error: str | None = None, done: str | None = None, status_code: int = 200) -> Template:
    return render(request, "directory/edit_organization.html", {
        "values": values, "kinds": KINDS, "organization": organization, "error": error,
        "done": done,
    }, status_code=status_code)


@get("/organizations/new", operation_id="adminNewOrganizationPage",
     summary="Form for a new organisation")
async def new_organization_page(request: Request) -> Template:
    return _form(request, {**dict.fromkeys(TEXT_FIELDS, ""), "kind": "welfare"})


@post("/organizations/new", operation_id="adminCreateOrganization",
      summary="Create an organisation from the form")
async def create_organization_form(request: Request) -> Response[Any]:
    values = _values(await request.form())
    try:
        data = msgspec.convert(_payload(values, []), OrganizationCreate)
        organization_id = await organizations.create_organization(data)
    except (ReadableError, HTTPException, ValueError) as refused:
        return _form(request, values, error=form_errors.reason(refused, request), status_code=400)
    return Redirect(f"/admin/organizations/{organization_id}/edit?done=created",
                    status_code=303)


async def _found(organization_id: UUID) -> Any:
    organization = await queries.organization_detail(organization_id)
    if organization is None:
        raise NotFoundException("There is no organisation at this address.")
    return organization


def _current(organization: Any) -> dict[str, str]:
    return {
        "name": organization.name, "alternate_name": organization.alternate_name or "",
        "kind": organization.kind, "description": organization.description,
        "email": organization.email or "", "website": organization.website or "",
        "phone": organization.phones[0].number if organization.phones else "",
    }


@get("/organizations/{organization_id:uuid}/edit", operation_id="adminEditOrganizationPage",
     summary="Form to change an organisation")
async def edit_organization_page(request: Request, organization_id: FromPath[UUID],
                                 done: FromQuery[str | None] = None) -> Template:
    organization = await _found(organization_id)
    return _form(request, _current(organization), organization=organization,
                 done=done if done in ("created", "saved", "retired") else None)


@post("/organizations/{organization_id:uuid}/edit", operation_id="adminUpdateOrganization",
      summary="Save the changed organisation")
async def update_organization_form(request: Request,
                                   organization_id: FromPath[UUID]) -> Response[Any]:
    organization = await _found(organization_id)
    values = _values(await request.form())
    if organization.retired_at is not None:
        return _form(request, values, organization=organization, status_code=409,
                     error=gettext_for(request).gettext(RETIRED))
    # Only the first number is on the form; the others the API set stay as they are.
    kept = [msgspec.structs.asdict(p) for p in organization.phones[1:]]
    try:
        data = msgspec.convert(_payload(values, kept), OrganizationUpdate)
        await organizations.update_organization(organization_id, data, current_user(request))
    except (ReadableError, HTTPException, ValueError) as refused:
        return _form(request, values, organization=organization,
                     error=form_errors.reason(refused, request), status_code=400)
    return Redirect(f"/admin/organizations/{organization_id}/edit?done=saved", status_code=303)


@post("/organizations/{organization_id:uuid}/retire", operation_id="adminRetireOrganization",
      summary="Retire an organisation with its offers and places")
async def retire_organization_form(request: Request,
                                   organization_id: FromPath[UUID]) -> Response[Any]:
    organization = await _found(organization_id)
    if (await request.form()).get("confirm") != "on":
        # One stray click must not take a whole organisation out of the directory.
        return _form(request, _current(organization), organization=organization,
                     status_code=400, error=gettext_for(request).gettext(CONFIRM))
    try:
        await organizations.retire_organization(organization_id)
    except HTTPException as refused:
        # The writer's only refusal here: the last network administrators are members.
        return _form(request, _current(organization), organization=organization,
                     error=gettext_for(request).gettext(LAST_ADMINS),
                     status_code=refused.status_code)
    return Redirect(f"/admin/organizations/{organization_id}/edit?done=retired",
                    status_code=303)


# Only the network coordination creates, changes and retires organisations on these pages.
ROUTES = [Router(
    path="/admin", guards=[network_admin], include_in_schema=False,
    route_handlers=[new_organization_page, create_organization_form, edit_organization_page,
                    update_organization_form, retire_organization_form],
)]
