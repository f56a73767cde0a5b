"""Web pages of the directory: the offers list, an offer, an organisation, our offers, editing."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    ValidationException,
)
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from accounts.guards import current_user, provider_staff
from accounts.roles import Role
from calendars.api import label_texts
from core.errors import ReadableError
from core.i18n import N_, gettext_for, pick_language
from core.templates import render
from core.validation import readable
from core.web import page_params
from directory import languages as language_list
from directory import queries, services
from directory import terms as term_list
from directory.access import can_edit, reader, require_editor
from directory.display import display_helpers
from directory.schemas import SERVICE_STATUSES, ServiceUpdate
from directory.tables import Service

PUBLIC = {"public": True}
PER_PAGE = 20


def _uuid_or_none(value: str | None, what: str) -> UUID | None:
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise ValidationException(f"The {what} in the address is not valid.") from None


def _page_url(base: str, filters: dict[str, Any], page: int) -> str:
    query = {k: v for k, v in filters.items() if v}
    if page > 1:
        query["page"] = page
    return f"{base}?{urlencode(query)}" if query else base


@get("/offers", operation_id="offersPage", opt=PUBLIC, include_in_schema=False)
async def offers_page(
    request: Request, category: FromQuery[str | None] = None,
    district: FromQuery[str | None] = None, language: FromQuery[str | None] = None,
    page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
) -> Template:
    user = reader(request)
    offset, limit = page_params(page, PER_PAGE)
    district = (district or "")[:100]
    language = (language or "")[:10]
    filters = queries.ServiceFilters(
        category_id=_uuid_or_none(category, "category"), district=district or None,
        language=language or None,
    )
    items, total = await queries.list_services(filters, offset, limit)
    chosen = {"category": category or "", "district": district, "language": language}
    last_page = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    lang = pick_language(request)
    opening = await label_texts([item.id for item in items], lang, gettext_for(request).gettext)
    return render(request, "directory/offers.html", {
        **display_helpers(lang),
        "opening": opening,
        "items": items, "total": total, "page": page, "last_page": last_page,
        "chosen": chosen,
        "previous_url": _page_url("/offers", chosen, page - 1) if page > 1 else None,
        "next_url": _page_url("/offers", chosen, page + 1) if page < last_page else None,
        "categories": await term_list.category_tree(),
        "districts": await queries.districts(),
        "languages_in_use": sorted(await queries.languages_in_use(),
                                   key=lambda c: language_list.name(c, lang)),
        "can_refer": bool(user and user.has_role(Role.CASE_MANAGER)),
    })


@get("/offers/{service_id:str}", operation_id="offerPage", opt=PUBLIC, include_in_schema=False)
async def offer_page(request: Request, service_id: FromPath[UUID],
                     saved: FromQuery[bool] = False) -> Template:
    user = reader(request)
    detail = await queries.service_detail(service_id)
    if detail is None or (user is None and detail.retired_at is not None):
        raise NotFoundException("There is no offer at this address.")
    lang = pick_language(request)
    editable = can_edit(user, detail.organization.id) and detail.retired_at is None
    opening = await label_texts([detail.id], lang, gettext_for(request).gettext)
    return render(request, "directory/offer.html", {
        **display_helpers(lang),
        "opening": opening,
        "offer": detail, "saved": saved, "can_edit": editable,
        "can_refer": bool(user and user.has_role(Role.CASE_MANAGER))
        and detail.retired_at is None,
        "capacity_action": f"/offers/{detail.id}/capacity" if editable else None,
        "confirm_action": f"/offers/{detail.id}/confirm" if editable else None,
    })


@get("/organizations/{organization_id:str}", operation_id="organizationPage", opt=PUBLIC,
     include_in_schema=False)
async def organization_page(request: Request, organization_id: FromPath[UUID]) -> Template:
    user = reader(request)
    organization = await queries.organization_detail(organization_id)
    if organization is None or (user is None and organization.retired_at is not None):
        raise NotFoundException("There is no organisation at this address.")
    offers, _ = await queries.list_services(
        queries.ServiceFilters(organization_id=organization_id), 0, 200
    )
    places, _ = await queries.list_locations(organization_id, None, False, 0, 200)
    return render(request, "directory/organization.html", {
        **display_helpers(pick_language(request)),
        "organization": organization, "offers": offers, "places": places,
        "can_edit": can_edit(user, organization_id),
    })


@get("/my-offers", operation_id="myOffersPage", guards=[provider_staff],
     include_in_schema=False)
async def my_offers_page(request: Request) -> Template:
    user = current_user(request)
    names = {m.organization_id: m.organization_name for m in user.memberships}
    groups = []
    for organization_id in sorted(user.org_ids_with(Role.PROVIDER_STAFF, Role.NETWORK_ADMIN),
                                  key=lambda o: names.get(o, "")):
        offers, _ = await queries.list_services(
            queries.ServiceFilters(organization_id=organization_id), 0, 200
        )
        groups.append((names.get(organization_id, ""), offers))
    return render(request, "directory/my_offers.html", {
        **display_helpers(pick_language(request)), "groups": groups,
    })


# --- editing ----------------------------------------------------------------------------------


async def _edit_context(request: Request, service_id: UUID,
                        form: dict[str, Any] | None = None,
                        errors: list[str] | None = None) -> dict[str, Any]:
    detail = await queries.service_detail(service_id)
    if detail is None:
        raise NotFoundException("There is no offer at this address.")
    lang = pick_language(request)
    values = form or {
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
    }
    return {
        **display_helpers(lang), "offer": detail, "values": values, "errors": errors or [],
        "statuses": SERVICE_STATUSES,
        "language_choices": language_list.choices(lang, values["languages"]),
        "categories": await term_list.category_tree(),
        "target_groups": await term_list.target_groups(),
    }


@get("/offers/{service_id:str}/edit", operation_id="editOfferPage", guards=[provider_staff],
     include_in_schema=False)
async def edit_offer_page(request: Request, service_id: FromPath[UUID]) -> Template:
    found = await queries.organization_of(Service, service_id)
    if found is None:
        raise NotFoundException("There is no offer at this address.")
    require_editor(request, found[0])
    return render(request, "directory/edit_offer.html",
                  await _edit_context(request, service_id))


def _optional_int(raw: str, label: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValueError(label)
    return int(raw)


TEXT_FIELDS = ("name", "description", "eligibility_description", "fees_description",
               "application_process", "wait_time")
OPTIONAL_TEXT_FIELDS = ("alternate_name", "url", "email")


@post("/offers/{service_id:str}/edit", operation_id="editOffer", guards=[provider_staff],
      include_in_schema=False)
async def edit_offer(request: Request, service_id: FromPath[UUID]) -> Template | Redirect:
    found = await queries.organization_of(Service, service_id)
    if found is None:
        raise NotFoundException("There is no offer at this address.")
    require_editor(request, found[0])
    _ = gettext_for(request).gettext
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name) or "").strip()
                              for name in TEXT_FIELDS + OPTIONAL_TEXT_FIELDS}
    values["status"] = str(form.get("status") or "active")
    values["free_of_charge"] = form.get("free_of_charge") == "on"
    values["languages"] = [str(v) for v in form.getall("languages", [])]
    values["category_ids"] = [str(v) for v in form.getall("category_ids", [])]
    values["target_group_ids"] = [str(v) for v in form.getall("target_group_ids", [])]
    values["minimum_age"] = str(form.get("minimum_age") or "")
    values["maximum_age"] = str(form.get("maximum_age") or "")
    errors: list[str] = []
    try:
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
        update = msgspec.convert(payload, ServiceUpdate)
        await services.update_service(service_id, update)
    except ReadableError as refused:
        errors.append(refused.translated(_))
    except ValueError as error:
        # msgspec.ValidationError is a ValueError too; both name the field that is wrong.
        errors.append(readable(str(error), _)
                      or _("Please check this field: %(field)s") % {"field": str(error)})
    except HTTPException as error:
        errors.append(str(error.detail))
    if errors:
        context = await _edit_context(request, service_id, values, errors)
        return render(request, "directory/edit_offer.html", context, status_code=400)
    return Redirect(f"/offers/{service_id}?saved=true", status_code=303)


PAGE_ROUTES = [
    offers_page, offer_page, organization_page, my_offers_page, edit_offer_page, edit_offer,
]
