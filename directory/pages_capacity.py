"""One-click capacity changes on the pages (HTMX) and behind the signed e-mail link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from accounts.api import safe_next
from accounts.identity import load_user
from core.errors import ReadableError
from core.i18n import gettext_for, pick_language
from core.templates import render
from directory import capacity, queries, services
from directory.access import can_edit, require_editor
from directory.capacity import Step
from directory.display import display_helpers
from directory.schemas import CapacityUpdate
from directory.signing import CapacityClaim, LinkExpiredError, LinkInvalidError, read_capacity_token
from directory.tables import Service

STEPS = {step.value: step for step in Step}


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


async def _widget(request: Request, service_id: UUID, action: str, confirm: str | None,
                  message: str = "", error: str = "", status_code: int = 200) -> Template:
    detail = await queries.service_detail(service_id)
    if detail is None:
        raise NotFoundException("There is no offer at this address.")
    return render(request, "directory/_capacity.html", {
        **display_helpers(pick_language(request)), "offer": detail,
        "capacity_action": action, "confirm_action": confirm, "message": message,
        "error": error,
    }, status_code=status_code)


async def _step_from(request: Request) -> Step | int | None:
    """A one-click step, or the number of free places typed into the "set" field."""
    form = await request.form()
    action = str(form.get("action") or "")
    if action == "set":
        raw = str(form.get("available") or "").strip()
        # isdigit() alone lets "²" through, which int() refuses.
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else -1
    return STEPS.get(action)


async def _apply(
    service_id: UUID, step: Step | int | None, user_id: UUID | None, name: str,
    _: Callable[[str], str],
) -> tuple[str, int]:
    """Apply a button or a typed number through the one writer: ("", 200) or (error, status)."""
    if step is None:
        return _("Please choose one of the buttons."), 400
    if isinstance(step, int) and step < 0:
        return _("Enter the number of free places as a whole number, 0 or more."), 400
    try:
        if isinstance(step, int):
            await capacity.update_capacity(service_id, CapacityUpdate(available=step), user_id,
                                           name)
        else:
            await capacity.apply_step(service_id, step, user_id, name)
    except ReadableError as failure:
        return failure.translated(_), failure.status_code
    return "", 200


def _back(request: Request, service_id: UUID) -> str:
    """Without HTMX the browser goes back to the page the button was on."""
    referer = request.headers.get("referer")
    return safe_next(urlsplit(referer).path if referer else f"/offers/{service_id}")


@post("/offers/{service_id:str}/capacity", operation_id="offerCapacityStep",
      include_in_schema=False)
async def capacity_step(request: Request, service_id: FromPath[UUID]) -> Template | Redirect:
    found = await queries.organization_of(Service, service_id)
    if found is None:
        raise NotFoundException("There is no offer at this address.")
    user = require_editor(request, found[0])
    _ = gettext_for(request).gettext
    step = await _step_from(request)
    error, _status = await _apply(service_id, step, user.id, user.display_name, _)
    message = "" if error else _("Saved.")
    if not is_htmx(request):
        if error:
            return render(request, "error.html", {"status": 400, "detail": error},
                          status_code=400)
        return Redirect(_back(request, service_id), status_code=303)
    return await _widget(request, service_id, f"/offers/{service_id}/capacity",
                         f"/offers/{service_id}/confirm", message, error)


@post("/offers/{service_id:str}/confirm", operation_id="offerConfirm", include_in_schema=False)
async def confirm_step(request: Request, service_id: FromPath[UUID]) -> Template | Redirect:
    found = await queries.organization_of(Service, service_id)
    if found is None:
        raise NotFoundException("There is no offer at this address.")
    user = require_editor(request, found[0])
    _ = gettext_for(request).gettext
    await services.confirm_service(service_id, user.id, user.display_name, user.email)
    if not is_htmx(request):
        return Redirect(_back(request, service_id), status_code=303)
    return await _widget(request, service_id, f"/offers/{service_id}/capacity",
                         f"/offers/{service_id}/confirm", _("Confirmed as correct today."))


class _LinkRefusedError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


async def _claim(request: Request, token: str) -> tuple[CapacityClaim, str]:
    """The link's offer and the name changes are stamped with; refuses stale or altered links."""
    _ = gettext_for(request).gettext
    try:
        claim = read_capacity_token(token)
    except LinkExpiredError:
        raise _LinkRefusedError(410, _("This link has expired. Log in to update the places, "
                                       "or wait for the next reminder e-mail.")) from None
    except LinkInvalidError:
        raise _LinkRefusedError(403, _("This link is not valid. Please use the complete link from "
                                  "the e-mail.")) from None
    found = await queries.organization_of(Service, claim.service_id)
    if found is None or found[1] is not None:
        raise _LinkRefusedError(410, _("This offer no longer exists in the directory."))
    name = _("one-click link")
    if claim.user_id is not None:
        user = await load_user(claim.user_id)
        if user is None or not can_edit(user, found[0]):
            raise _LinkRefusedError(403, _("This link is no longer valid for you. Log in to update "
                                      "the places."))
        name = user.display_name
    return claim, name


async def _link_page(request: Request, token: str, context: dict[str, Any],
                     status_code: int = 200) -> Template:
    return render(request, "directory/capacity_link.html", {
        **display_helpers(pick_language(request)), "token": token, "message": "", "error": "",
        **context,
    }, status_code=status_code)


@get("/capacity/{token:str}", operation_id="capacityLinkPage", opt={"public": True},
     include_in_schema=False)
async def capacity_link_page(request: Request, token: FromPath[str],
                             done: FromQuery[str | None] = None) -> Template:
    try:
        claim, _name = await _claim(request, token[:500])
    except _LinkRefusedError as refused:
        return await _link_page(request, token, {"offer": None, "error": refused.detail},
                                refused.status)
    return await _link_page(request, token, {
        "offer": await queries.service_detail(claim.service_id),
        "capacity_action": f"/capacity/{token}",
        "message": gettext_for(request).gettext("Saved. Thank you!") if done == "saved" else "",
    })


@post("/capacity/{token:str}", operation_id="capacityLinkStep", opt={"public": True},
      include_in_schema=False)
async def capacity_link_step(request: Request, token: FromPath[str]) -> Template | Redirect:
    _ = gettext_for(request).gettext
    try:
        claim, name = await _claim(request, token[:500])
    except _LinkRefusedError as refused:
        return await _link_page(request, token, {"offer": None, "error": refused.detail},
                                refused.status)
    step = await _step_from(request)
    error, status_code = await _apply(claim.service_id, step, claim.user_id, name, _)
    message = "" if error else _("Saved. Thank you!")
    if is_htmx(request):
        return await _widget(request, claim.service_id, f"/capacity/{token}", None, message,
                             error)
    if not error:
        # Post/redirect/get: reloading the thank-you page must not press the button again.
        return Redirect(f"/capacity/{token}?done=saved", status_code=303)
    return await _link_page(request, token, {
        "offer": await queries.service_detail(claim.service_id),
        "capacity_action": f"/capacity/{token}", "message": message, "error": error,
    }, status_code)


ROUTES = [capacity_step, confirm_step, capacity_link_page, capacity_link_step]
