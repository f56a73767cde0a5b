"""Pages of the sending side: the referral form, "my referrals" and a referral's page."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from accounts.guards import case_manager, current_user, member
from accounts.roles import Role
from clients.api import CATEGORIES, ClientRecord, active_clients_of
from core.i18n import gettext_for
from core.templates import render
from directory import api as directory
from referrals import appointments, drafts, messages, views
from referrals.page_helpers import error_text, labels, optional_int, optional_uuid, text
from referrals.routes_referrals import remote_addr
from referrals.states import OPEN, State
from referrals.tables import Referral
from referrals.transitions import transition
from referrals.waitlist import URGENCIES, WAIT_BANDS

PER_PAGE = 25


async def _clients(user: Any) -> list[ClientRecord]:
    return await active_clients_of(user.org_ids_with(Role.CASE_MANAGER))


async def _service(service_id: UUID | None) -> directory.ReferralOffer | None:
    if service_id is None:
        return None
    return await directory.offer_for_referral(service_id)


async def _already_open(
    client_id: str | None, service_id: UUID | None, clients: list[ClientRecord]
) -> list[UUID]:
    """Open referrals of the chosen client (one of the user's own) to the same offer."""
    own = {str(c.id): c.id for c in clients}
    if service_id is None or not client_id or client_id not in own:
        return []
    rows = await Referral.select(Referral.id).where(
        (Referral.client == own[client_id])
        & (Referral.service == service_id)
        & Referral.state.is_in([s.value for s in OPEN])
    )
    return [row["id"] for row in rows]


def _vocabulary() -> dict[str, Any]:
    return {
        "need_categories": drafts.NEED_CATEGORIES,
        "urgencies": URGENCIES,
        "age_bands": drafts.AGE_BANDS,
        "categories": CATEGORIES,
        "wait_bands": WAIT_BANDS,
    }


async def _form_page(
    request: Request, service_id: UUID | None, values: dict[str, Any], error: str | None,
    status_code: int = 200,
) -> Template:
    user = current_user(request)
    clients = await _clients(user)
    return render(
        request,
        "referrals/form.html",
        {
            "service": await _service(service_id),
            "clients": clients,
            "already_open": await _already_open(values.get("client_id"), service_id, clients),
            "values": values,
            "error": error,
            "labels": labels(gettext_for(request)),
            **_vocabulary(),
        },
        status_code=status_code,
    )


@get("/referrals/new", operation_id="referralFormPage", guards=[case_manager],
     include_in_schema=False)
async def referral_form(
    request: Request, service: FromQuery[UUID | None] = None,
    client: FromQuery[UUID | None] = None,
) -> Template:
    values = {"client_id": str(client) if client else "", "urgency": "normal",
              "shared_categories": ["identity", "contact"]}
    return await _form_page(request, service, values, None)


def _input_from(form: Any) -> tuple[dict[str, Any], drafts.ReferralInput]:
    values: dict[str, Any] = {
        "client_id": text(form, "client_id", 64),
        "service_id": text(form, "service_id", 64),
        "need_category": text(form, "need_category", 100),
        "need_text": text(form, "need_text"),
        "urgency": text(form, "urgency", 10) or "normal",
        "languages": [c.strip().lower() for c in text(form, "languages", 100).replace(
            ";", ",").split(",") if c.strip()],
        "interpreter_needed": form.get("interpreter_needed") == "yes",
        "accessibility_needs": text(form, "accessibility_needs"),
        "preferred_times": text(form, "preferred_times", 255),
        "notes": text(form, "notes"),
        "shared_categories": [str(c) for c in form.getall("shared_categories", [])],
        "age_band": text(form, "age_band", 10),
        "district": text(form, "district", 100),
    }
    try:
        data = msgspec.convert(values, drafts.ReferralInput)
    except msgspec.ValidationError as error:
        raise ValidationException(str(error)) from None
    return values, data


@post("/referrals/new", operation_id="submitReferralForm", guards=[case_manager],
      include_in_schema=False)
async def submit_referral(request: Request) -> Template | Redirect:
    user = current_user(request)
    form = await request.form()
    service_id = optional_uuid(form, "service_id")
    values: dict[str, Any] = {}
    try:
        values, data = _input_from(form)
        referral_id = await drafts.create_draft(data, user)
    except HTTPException as error:
        values = values or {k: text(form, k) for k in form}
        return await _form_page(request, service_id, values, error_text(request, error),
                                status_code=error.status_code)
    if text(form, "action", 10) == "send":
        try:
            await transition(referral_id, State.SENT.value, user)
        except HTTPException as error:
            return Redirect(f"/referrals/{referral_id}?problem={_code(error)}", status_code=303)
        return Redirect(f"/referrals/{referral_id}?done=sent", status_code=303)
    return Redirect(f"/referrals/{referral_id}?done=draft", status_code=303)


def _code(error: HTTPException) -> str:
    code = error.extra.get("code") if isinstance(error.extra, dict) else None
    return str(code or error.status_code)


@get("/referrals", operation_id="myReferralsPage", guards=[case_manager],
     include_in_schema=False)
async def my_referrals(
    request: Request,
    wanted_state: Annotated[str | None, QueryParameter(name="state")] = None,
    urgency: FromQuery[str | None] = None, page: FromQuery[int] = 1,
) -> Template:
    user = current_user(request)
    states = [wanted_state] if wanted_state in {s.value for s in State} else []
    wanted_urgency = urgency if urgency in URGENCIES else None
    page = max(page, 1)
    items, total = await views.list_sent(
        user, states=states, client_id=None, service_id=None, urgency=wanted_urgency,
        offset=(page - 1) * PER_PAGE, limit=PER_PAGE,
    )
    return render(
        request,
        "referrals/list.html",
        {
            "items": items, "total": total, "page": page, "per_page": PER_PAGE,
            "state": states[0] if states else "", "urgency": wanted_urgency or "",
            "states": [s.value for s in State], "urgencies": URGENCIES,
            "labels": labels(gettext_for(request)),
        },
    )


async def detail_page(
    request: Request, referral_id: UUID, template: str, error: str | None = None,
    status_code: int = 200,
) -> Template:
    user = current_user(request)
    referral = await views.detail(referral_id, user, remote_addr(request))
    thread: list[messages.MessageOut] | None
    try:
        thread = await messages.list_messages(referral_id, user, remote_addr(request))
    except HTTPException:
        thread = None
    slots: list[tuple[UUID, str]] = []
    if any(o.to == "accepted" for o in referral.allowed_transitions):
        slots = await appointments.free_slots(referral.service.id)
    t = gettext_for(request)
    problem = request.query_params.get("problem")
    if error is None and problem:
        from referrals.page_helpers import ERROR_TEXTS

        error = t.gettext(ERROR_TEXTS[problem]) if problem in ERROR_TEXTS else None
    return render(
        request,
        template,
        {
            "r": referral,
            "thread": thread,
            "error": error,
            "done": request.query_params.get("done"),
            "labels": labels(t),
            "options": {o.to: o for o in referral.allowed_transitions},
            "slots": slots,
            **_vocabulary(),
        },
        status_code=status_code,
    )


@get("/referrals/{referral_id:uuid}", operation_id="referralPage", guards=[member],
     include_in_schema=False)
async def referral_page(request: Request, referral_id: FromPath[UUID]) -> Template:
    return await detail_page(request, referral_id, "referrals/detail.html")


async def apply_form_transition(request: Request, referral_id: UUID) -> str:
    """Apply the transition a dialog posted; returns the state reached."""
    form = await request.form()
    to = text(form, "to", 20)
    slot_id = optional_uuid(form, "appointment_slot_id")
    await transition(
        referral_id,
        to,
        current_user(request),
        reason=text(form, "reason", 30) or None,
        note=text(form, "note", 2000),
        appointment_slot_id=slot_id,
        appointment_text=text(form, "appointment", 255) if to == "accepted" else "",
        expected_wait=text(form, "expected_wait", 30) if to == "waitlisted" else "",
        expected_version=optional_int(form, "version"),
    )
    return to


@post("/referrals/{referral_id:uuid}/transition", operation_id="referralPageTransition",
      guards=[member], include_in_schema=False)
async def referral_page_transition(
    request: Request, referral_id: FromPath[UUID]
) -> Template | Redirect:
    try:
        reached = await apply_form_transition(request, referral_id)
    except NotFoundException:
        raise
    except HTTPException as error:
        return await detail_page(request, referral_id, "referrals/detail.html",
                                 error_text(request, error), error.status_code)
    return Redirect(f"/referrals/{referral_id}?done={reached}", status_code=303)


@post("/referrals/{referral_id:uuid}/messages", operation_id="referralPageMessage",
      guards=[member], include_in_schema=False)
async def referral_page_message(
    request: Request, referral_id: FromPath[UUID]
) -> Template | Redirect:
    form = await request.form()
    back = text(form, "back", 20)
    target = "inbox" if back == "inbox" else "referrals"
    try:
        await messages.post_message(
            referral_id, messages.MessageIn(body=text(form, "body") or " "), current_user(request)
        )
    except NotFoundException:
        raise
    except HTTPException as error:
        template = "referrals/inbox_detail.html" if target == "inbox" else "referrals/detail.html"
        return await detail_page(request, referral_id, template, error_text(request, error),
                                 error.status_code)
    return Redirect(f"/{target}/{referral_id}?done=message#messages", status_code=303)


ROUTES = [
    referral_form,
    submit_referral,
    my_referrals,
    referral_page,
    referral_page_transition,
    referral_page_message,
]
