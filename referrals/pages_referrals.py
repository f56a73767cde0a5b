"""Pages of the sending side: the referral form, "my referrals" and a referral's page."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from accounts.guards import case_manager, current_user, member
from accounts.roles import Role
from clients.api import (
    CATEGORIES,
    ClientRecord,
    active_clients_of,
    consent_text,
    consent_text_of,
)
from core.i18n import gettext_for
from core.templates import render
from directory import api as directory
from referrals import appointments, drafts, messages, referral_form, slip, slip_mail, views
from referrals.page_helpers import (
    CATEGORY_LABELS,
    error_text,
    labels,
    optional_int,
    optional_uuid,
    text,
)
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
    status_code: int = 200, *, draft_id: UUID | None = None,
) -> Template:
    user = current_user(request)
    clients = await _clients(user)
    service = await _service(service_id)
    cover = await referral_form.coverage(
        values, service.organization_id if service else None, {c.id for c in clients})
    return render(
        request,
        "referrals/form.html",
        {
            "service": service,
            "clients": clients,
            "already_open": [] if draft_id else await _already_open(
                values.get("client_id"), service_id, clients),
            "values": values,
            "error": error,
            "coverage": cover,
            "draft_id": draft_id,
            "field_categories": referral_form.FIELD_CATEGORIES,
            "labels": labels(gettext_for(request)),
            **_vocabulary(),
        },
        status_code=status_code,
    )


@get("/referrals/new", operation_id="referralFormPage", guards=[case_manager],
     include_in_schema=False)
async def referral_form_page(
    request: Request, service: FromQuery[UUID | None] = None,
    client: FromQuery[UUID | None] = None,
) -> Template:
    if request.query_params.get("check"):
        # "Check consent" without script: the form came back by GET with what was typed.
        values = referral_form.form_values(request.query_params)
        service = service or optional_uuid(request.query_params, "service_id")
        if request.query_params.get("refill"):
            # A client chosen in the list (htmx): their languages and district replace the last.
            values["languages"], values["district"] = [], ""
    else:
        values = {"client_id": str(client) if client else "", "urgency": "normal",
                  "shared_categories": ["identity", "contact"]}
    await referral_form.prefill_from_client(values, current_user(request), remote_addr(request))
    return await _form_page(request, service, values, None)


def _missing_text(request: Request, cover: referral_form.Coverage) -> str:
    t = gettext_for(request)
    names = ", ".join(t.gettext(CATEGORY_LABELS[c]) for c in cover.missing)
    if cover.covered is None:
        return t.gettext("No active consent of the client names this provider. "
                         "Record a consent first.")
    return t.gettext("The client's consent does not cover: %(categories)s. Extend the consent, "
                     "or leave out what it does not cover.") % {"categories": names}


async def _consent_refusal(
    request: Request, service_id: UUID | None, values: dict[str, Any],
    draft_id: UUID | None = None,
) -> Template | None:
    """Before sending: the form again, naming what the consent lacks; None when it covers."""
    user = current_user(request)
    service = await _service(service_id)
    own = {c.id for c in await _clients(user)}
    cover = await referral_form.coverage(values, service.organization_id if service else None,
                                         own)
    if cover is None or (cover.covered is not None and not cover.missing):
        return None
    return await _form_page(request, service_id, values, _missing_text(request, cover), 409,
                            draft_id=draft_id)


@post("/referrals/new", operation_id="submitReferralForm", guards=[case_manager],
      include_in_schema=False)
async def submit_referral(request: Request) -> Template | Redirect:
    user = current_user(request)
    form = await request.form()
    service_id = optional_uuid(form, "service_id")
    values = referral_form.form_values(form)
    sending = text(form, "action", 10) == "send"
    if sending and (refused := await _consent_refusal(request, service_id, values)):
        return refused
    try:
        referral_id = await drafts.create_draft(referral_form.parse_new(values), user)
    except HTTPException as error:
        return await _form_page(request, service_id, values, error_text(request, error),
                                status_code=error.status_code)
    return await _send_or_keep(referral_id, user, sending)


async def _send_or_keep(referral_id: UUID, user: Any, sending: bool) -> Redirect:
    if sending:
        try:
            await transition(referral_id, State.SENT.value, user)
        except HTTPException as error:
            return Redirect(f"/referrals/{referral_id}?problem={_code(error)}", status_code=303)
        return Redirect(f"/referrals/{referral_id}?done=sent", status_code=303)
    return Redirect(f"/referrals/{referral_id}?done=draft", status_code=303)


async def _own_draft(request: Request, referral_id: UUID) -> views.ReferralOut:
    referral = await views.detail(referral_id, current_user(request), remote_addr(request))
    if referral.side != "sender" or referral.client_id is None:
        raise NotFoundException("No such referral.")
    return referral


@get("/referrals/{referral_id:uuid}/edit", operation_id="referralEditPage",
     guards=[case_manager], include_in_schema=False)
async def referral_edit_page(request: Request, referral_id: FromPath[UUID]) -> Template | Redirect:
    r = await _own_draft(request, referral_id)
    if r.state != State.DRAFT.value:
        return Redirect(f"/referrals/{referral_id}?problem=not_a_draft", status_code=303)
    values = {
        "client_id": str(r.client_id), "need_category": r.need_category,
        "need_text": r.need_text or "", "urgency": r.urgency, "languages": r.languages or [],
        "interpreter_needed": bool(r.interpreter_needed),
        "accessibility_needs": r.accessibility_needs or "",
        "preferred_times": r.preferred_times or "", "notes": r.notes or "",
        "shared_categories": r.shared_categories, "age_band": r.age_band or "",
        "district": r.district or "", "version": r.version,
    }
    return await _form_page(request, r.service.id, values, None, draft_id=referral_id)


@post("/referrals/{referral_id:uuid}/edit", operation_id="referralEditSave",
      guards=[case_manager], include_in_schema=False)
async def referral_edit_save(
    request: Request, referral_id: FromPath[UUID]
) -> Template | Redirect:
    user = current_user(request)
    r = await _own_draft(request, referral_id)
    form = await request.form()
    values = {**referral_form.form_values(form), "client_id": str(r.client_id)}
    values["version"] = optional_int(form, "version")
    sending = text(form, "action", 10) == "send"
    if sending and (refused := await _consent_refusal(request, r.service.id, values,
                                                      referral_id)):
        return refused
    try:
        await drafts.update_draft(referral_id, referral_form.parse_changes(values), user,
                                  values["version"])
    except HTTPException as error:
        return await _form_page(request, r.service.id, values, error_text(request, error),
                                status_code=error.status_code, draft_id=referral_id)
    return await _send_or_keep(referral_id, user, sending)


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
            **await _slip_context(referral),
            "consent_read": await _consent_read(referral),
            **_vocabulary(),
        },
        status_code=status_code,
    )


async def _consent_read(referral: views.ReferralOut) -> dict[str, str] | None:
    """Which consent text the client agreed to (language, version), for both sides to see."""
    row = await Referral.select(Referral.consent).where(Referral.id == referral.id).first()
    if row is None or row["consent"] is None or referral.disclosure == "none":
        return None
    found = await consent_text_of(row["consent"])
    if found is None:
        return None
    text = consent_text(found[0])
    return {"code": text.code, "name": text.name, "lang": text.lang, "version": found[1]}


async def _slip_context(referral: views.ReferralOut) -> dict[str, Any]:
    """The slip link and the slips mailed, for the sending side."""
    if referral.side != "sender":
        return {"slip_ready": False}
    return {
        "slip_ready": referral.state in slip.SLIP_STATES,
        "slip_mails": await slip_mail.mails_of(referral.id),
        "slip_language_names": {c: t.name for c, t in slip.slip_texts().items()},
    }


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
    referral_form_page,
    submit_referral,
    referral_edit_page,
    referral_edit_save,
    my_referrals,
    referral_page,
    referral_page_transition,
    referral_page_message,
]
