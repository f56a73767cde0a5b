"""Pages to add and change a place of an organisation: address, district, accessibility.

For the organisation's provider staff and the coordination; through the JSON API's writers and
structs, so the checks and the outbox event are the same.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from accounts.guards import provider_staff
from core.errors import ReadableError
from core.i18n import N_
from core.templates import render
from directory import form_errors, locations, queries
from directory.access import require_editor
from directory.schemas import LocationCreate, LocationUpdate

TEXT_FIELDS = ("name", "address_1", "postal_code", "city", "district",
               "accessibility_description", "transportation")
EMPTY = {**dict.fromkeys(TEXT_FIELDS, ""), "city": "Mülheim an der Ruhr",
         "wheelchair_accessible": False}


async def _typed(request: Request) -> dict[str, Any]:
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name) or "").strip()[:20_001]
                              for name in TEXT_FIELDS}
    values["wheelchair_accessible"] = form.get("wheelchair_accessible") == "on"
    return values


def _payload(values: dict[str, Any]) -> dict[str, Any]:
    if not values["name"]:
        raise ReadableError(N_("Please enter the name of the place."))
    return dict(values)


async def _form(request: Request, organization: Any, values: dict[str, Any], *,
                place_id: UUID | None = None, error: str | None = None,
                status_code: int = 200) -> Template:
    return render(request, "directory/edit_place.html", {
        "organization": organization, "values": values, "place_id": place_id,
        "error": error, "districts": await queries.districts(),
    }, status_code=status_code)


async def _organization(request: Request, organization_id: UUID) -> Any:
    """The live organisation; 404 for unknown or retired ones, 403 for other providers."""
    organization = await queries.organization_detail(organization_id)
    if organization is None or organization.retired_at is not None:
        raise NotFoundException("There is no organisation at this address.")
    require_editor(request, organization_id)
    return organization


@get("/organizations/{organization_id:uuid}/places/new", operation_id="newPlacePage",
     guards=[provider_staff], include_in_schema=False, summary="Form for a new place")
async def new_place_page(request: Request, organization_id: FromPath[UUID]) -> Template:
    return await _form(request, await _organization(request, organization_id), dict(EMPTY))


@post("/organizations/{organization_id:uuid}/places/new", operation_id="createPlaceFromForm",
      guards=[provider_staff], include_in_schema=False, summary="Create a place from the form")
async def create_place(request: Request, organization_id: FromPath[UUID]) -> Template | Redirect:
    organization = await _organization(request, organization_id)
    values = await _typed(request)
    try:
        data = msgspec.convert({**_payload(values), "organization_id": str(organization_id)},
                               LocationCreate)
        await locations.create_location(data)
    except (ReadableError, ValueError, HTTPException) as refused:
        return await _form(request, organization, values, status_code=400,
                           error=form_errors.reason(refused, request))
    return Redirect(f"/organizations/{organization_id}?done=place", status_code=303)


async def _place(request: Request, organization_id: UUID, place_id: UUID) -> tuple[Any, Any]:
    organization = await _organization(request, organization_id)
    place = await queries.location_detail(place_id)
    if place is None or place.organization_id != organization_id or place.retired_at:
        raise NotFoundException("There is no place at this address.")
    return organization, place


@get("/organizations/{organization_id:uuid}/places/{place_id:uuid}/edit",
     operation_id="editPlacePage", guards=[provider_staff], include_in_schema=False,
     summary="Form to change a place")
async def edit_place_page(request: Request, organization_id: FromPath[UUID],
                          place_id: FromPath[UUID]) -> Template:
    organization, place = await _place(request, organization_id, place_id)
    values = {name: getattr(place, name) or "" for name in TEXT_FIELDS}
    values["wheelchair_accessible"] = place.wheelchair_accessible
    return await _form(request, organization, values, place_id=place_id)


@post("/organizations/{organization_id:uuid}/places/{place_id:uuid}/edit",
      operation_id="editPlace", guards=[provider_staff], include_in_schema=False,
      summary="Save the changed place")
async def edit_place(request: Request, organization_id: FromPath[UUID],
                     place_id: FromPath[UUID]) -> Template | Redirect:
    organization, _place_row = await _place(request, organization_id, place_id)
    values = await _typed(request)
    try:
        await locations.update_location(place_id,
                                         msgspec.convert(_payload(values), LocationUpdate))
    except (ReadableError, ValueError, HTTPException) as refused:
        return await _form(request, organization, values, place_id=place_id, status_code=400,
                           error=form_errors.reason(refused, request))
    return Redirect(f"/organizations/{organization_id}?done=place", status_code=303)


ROUTES = [new_place_page, create_place, edit_place_page, edit_place]
