"""Web pages of the directory: the offers list, an offer, an organisation, our offers."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Request, get
from litestar.exceptions import (
    NotFoundException,
    ValidationException,
)
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from accounts.guards import current_user, provider_staff
from accounts.roles import Role
from calendars.api import label_texts
from core.i18n import gettext_for, pick_language
from core.templates import render
from core.web import page_params
from directory import languages as language_list
from directory import pages_offer_edit, pages_places, queries
from directory import terms as term_list
from directory.access import can_edit, reader
from directory.display import display_helpers

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
                     saved: FromQuery[bool] = False,
                     text: Annotated[str, QueryParameter(max_length=10,
                                                         pattern=r"^[a-z-]*$")] = "") -> Template:
    user = reader(request)
    detail = await queries.service_detail(service_id)
    if detail is None or (user is None and detail.retired_at is not None):
        raise NotFoundException("There is no offer at this address.")
    lang = pick_language(request)
    editable = can_edit(user, detail.organization.id) and detail.retired_at is None
    opening = await label_texts([detail.id], lang, gettext_for(request).gettext)
    located = [p for p in detail.locations if p.latitude is not None and p.longitude is not None]
    return render(request, "directory/offer.html", {
        **display_helpers(lang),
        "opening": opening,
        "map_points": [
            {"lat": p.latitude, "lon": p.longitude, "name": p.name,
             "place": " ".join(x for x in (p.address_1, p.postal_code, p.city) if x)}
            for p in located
        ],
        "offer": detail, "saved": saved, "can_edit": editable,
        # The description in another language the provider gave; German stays the fallback.
        "text_lang": text if text != "de" else "",
        "text_dir": language_list.direction(text),
        "translation": next((t for t in detail.translations if t.language == text), None),
        "can_refer": bool(user and user.has_role(Role.CASE_MANAGER))
        and detail.retired_at is None,
        "capacity_action": f"/offers/{detail.id}/capacity" if editable else None,
        "confirm_action": f"/offers/{detail.id}/confirm" if editable else None,
    })


@get("/organizations/{organization_id:str}", operation_id="organizationPage", opt=PUBLIC,
     include_in_schema=False)
async def organization_page(request: Request, organization_id: FromPath[UUID],
                            done: FromQuery[str | None] = None) -> Template:
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
        "can_admin": bool(user and user.is_network_admin),
        "done": done if done == "place" else None,
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
        groups.append((names.get(organization_id, ""), organization_id, offers))
    return render(request, "directory/my_offers.html", {
        **display_helpers(pick_language(request)), "groups": groups,
    })


PAGE_ROUTES = [
    offers_page, offer_page, organization_page, my_offers_page, *pages_offer_edit.ROUTES,
    *pages_places.ROUTES,
]
