"""Pages to create and edit an offer, for the owning provider's staff and the coordination.

Both forms go through the writers and input structs of the JSON API (`services`, `ServiceCreate`,
`ServiceUpdate`), so the same checks apply and search hears of the change through the outbox.
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
from core.i18n import N_, gettext_for, pick_language
from core.templates import render
from directory import form_errors, queries, services
from directory import languages as language_list
from directory import terms as term_list
from directory.access import require_editor
from directory.display import display_helpers
from directory.schemas import SERVICE_STATUSES, ServiceCreate, ServiceUpdate
from directory.tables import Service

TEXT_FIELDS = ("name", "description", "eligibility_description", "fees_description",
               "application_process", "wait_time")
OPTIONAL_TEXT_FIELDS = ("alternate_name", "url", "email")
LIST_FIELDS = ("languages", "category_ids", "target_group_ids", "location_ids")
CONFIRM_RETIRE = N_("Please tick the box to confirm that the offer shall be retired.")
EMPTY: dict[str, Any] = {
    **dict.fromkeys(TEXT_FIELDS + OPTIONAL_TEXT_FIELDS, ""), "status": "active",
    "minimum_age": "", "maximum_age": "", "free_of_charge": True,
    **{name: [] for name in LIST_FIELDS},
}


async def _context(request: Request, organization_id: UUID, values: dict[str, Any],
                   errors: list[str], offer: Any = None) -> dict[str, Any]:
    lang = pick_language(request)
    places, _ = await queries.list_locations(organization_id, None, False, 0, 200)
    organization = await queries.organization_detail(organization_id)
    return {
        **display_helpers(lang), "offer": offer, "organization": organization,
        "values": values, "errors": errors, "statuses": SERVICE_STATUSES,
        "language_choices": language_list.choices(lang, values["languages"]),
        "categories": await term_list.category_tree(),
        "target_groups": await term_list.target_groups(),
        "places": places,
    }


def _stored(detail: Any) -> dict[str, Any]:
    return {
        "name": detail.name, "alternate_name": detail.alternate_name or "",
        "description": detail.description, "url": detail.url or "",
        "email": detail.email or "", "status": detail.status,
        "eligibility_description": detail.eligibility_description,
        "minimum_age": "" if detail.minimum_age is None else str(detail.minimum_age),
        "maximum_age": "" if detail.maximum_age is None else str(detail.maximum_age),
        "fees_description": detail.fees_description,
        "free_of_charge": detail.free_of_charge,
        "application_process": detail.application_process, "wait_time": detail.wait_time,
        "languages": detail.languages,
        "category_ids": [str(t.id) for t in detail.categories],
        "target_group_ids": [str(t.id) for t in detail.target_groups],
        "location_ids": [str(p.id) for p in detail.locations],
    }


def _optional_int(raw: str, label: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValueError(label)
    return int(raw)


async def _typed(request: Request) -> tuple[dict[str, Any], bool]:
    """What the form sent, as it is shown again; and whether it had the places on it."""
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name) or "").strip()
                              for name in TEXT_FIELDS + OPTIONAL_TEXT_FIELDS}
    values["status"] = str(form.get("status") or "active")
    values["free_of_charge"] = form.get("free_of_charge") == "on"
    for name in LIST_FIELDS:
        values[name] = [str(v) for v in form.getall(name, [])]
    values["minimum_age"] = str(form.get("minimum_age") or "")
    values["maximum_age"] = str(form.get("maximum_age") or "")
    return values, form.get("places_shown") == "1"


def _payload(values: dict[str, Any], with_places: bool, request: Request) -> dict[str, Any]:
    _ = gettext_for(request).gettext
    if not values["name"]:
        raise ReadableError(N_("Please enter the name of the offer."))
    payload: dict[str, Any] = {k: values[k] for k in TEXT_FIELDS}
    payload.update({k: values[k] or None for k in OPTIONAL_TEXT_FIELDS})
    payload["status"] = values["status"]
    payload["free_of_charge"] = values["free_of_charge"]
    payload["minimum_age"] = _optional_int(values["minimum_age"], _("Minimum age"))
    payload["maximum_age"] = _optional_int(values["maximum_age"], _("Maximum age"))
    for key in ("languages", "category_ids", "target_group_ids"):
        payload[key] = values[key]
    # A form without the places (an older page) leaves the offer's places as they are.
    if with_places:
        payload["location_ids"] = values["location_ids"]
    return payload


@get("/offers/{service_id:str}/edit", operation_id="editOfferPage", guards=[provider_staff],
     include_in_schema=False, summary="Form to change an offer")
async def edit_offer_page(request: Request, service_id: FromPath[UUID]) -> Template:
    found = await queries.organization_of(Service, service_id)
    if found is None:
        raise NotFoundException("There is no offer at this address.")
    require_editor(request, found[0])
    detail = await queries.service_detail(service_id)
    return render(request, "directory/edit_offer.html",
                  await _context(request, found[0], _stored(detail), [], detail))


@post("/offers/{service_id:str}/edit", operation_id="editOffer", guards=[provider_staff],
      include_in_schema=False, summary="Save the changed offer")
async def edit_offer(request: Request, service_id: FromPath[UUID]) -> Template | Redirect:
    found = await queries.organization_of(Service, service_id)
    if found is None:
        raise NotFoundException("There is no offer at this address.")
    require_editor(request, found[0])
    values, with_places = await _typed(request)
    try:
        update = msgspec.convert(_payload(values, with_places, request), ServiceUpdate)
        await services.update_service(service_id, update)
    except (ReadableError, ValueError, HTTPException) as refused:
        detail = await queries.service_detail(service_id)
        context = await _context(request, found[0], values,
                                 [form_errors.reason(refused, request)], detail)
        return render(request, "directory/edit_offer.html", context, status_code=400)
    return Redirect(f"/offers/{service_id}?saved=true", status_code=303)


@post("/offers/{service_id:str}/retire", operation_id="retireOfferFromForm",
      guards=[provider_staff], include_in_schema=False,
      summary="Retire an offer: out of lists and search, kept for its referrals")
async def retire_offer(request: Request, service_id: FromPath[UUID]) -> Template | Redirect:
    found = await queries.organization_of(Service, service_id)
    if found is None:
        raise NotFoundException("There is no offer at this address.")
    require_editor(request, found[0])
    if (await request.form()).get("confirm") != "on":
        # One stray click must not take an offer out of the directory.
        detail = await queries.service_detail(service_id)
        context = await _context(request, found[0], _stored(detail),
                                 [gettext_for(request).gettext(CONFIRM_RETIRE)], detail)
        return render(request, "directory/edit_offer.html", context, status_code=400)
    await services.retire_service(service_id)
    return Redirect(f"/organizations/{found[0]}", status_code=303)


async def _owner(request: Request, organization_id: UUID) -> None:
    """Refuses unknown and retired organisations (404) and other providers' staff (403)."""
    organization = await queries.organization_detail(organization_id)
    if organization is None or organization.retired_at is not None:
        raise NotFoundException("There is no organisation at this address.")
    require_editor(request, organization_id)


@get("/organizations/{organization_id:uuid}/offers/new", operation_id="newOfferPage",
     guards=[provider_staff], include_in_schema=False, summary="Form for a new offer")
async def new_offer_page(request: Request, organization_id: FromPath[UUID]) -> Template:
    await _owner(request, organization_id)
    return render(request, "directory/edit_offer.html",
                  await _context(request, organization_id, dict(EMPTY), []))


@post("/organizations/{organization_id:uuid}/offers/new", operation_id="createOfferFromForm",
      guards=[provider_staff], include_in_schema=False, summary="Create an offer from the form")
async def create_offer(request: Request, organization_id: FromPath[UUID]) -> Template | Redirect:
    await _owner(request, organization_id)
    user = require_editor(request, organization_id)
    values, with_places = await _typed(request)
    try:
        payload = _payload(values, with_places, request)
        payload["organization_id"] = str(organization_id)
        data = msgspec.convert(payload, ServiceCreate)
        service_id = await services.create_service(data, user.id, user.display_name)
    except (ReadableError, ValueError, HTTPException) as refused:
        context = await _context(request, organization_id, values,
                                 [form_errors.reason(refused, request)])
        return render(request, "directory/edit_offer.html", context, status_code=400)
    return Redirect(f"/offers/{service_id}?saved=true", status_code=303)


ROUTES = [edit_offer_page, edit_offer, retire_offer, new_offer_page, create_offer]
