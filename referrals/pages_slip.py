"""The referral slip for the client: printable page, PDF, e-mail, and the calendar link.

A case manager of the sending organisation makes it for an accepted or waitlisted referral, in
one of the slip catalog's languages (German beside it). The calendar link in its QR code is
signed and public: a phone opens it without logging in, and it carries only offer and place.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Redirect, Template

from accounts.guards import case_manager, current_user
from core.templates import render
from referrals import slip as slips
from referrals import slip_mail
from referrals.pages_clients import translated_error
from referrals.routes_referrals import remote_addr
from referrals.slip_render import SIZES, Size, pdf_filename, sheet_with_map, slip_pdf

Language = Annotated[str, Parameter(max_length=20, pattern=r"^[a-z-]*$")]


class SlipPages(Controller):
    path = "/referrals/{referral_id:uuid}/slip"
    guards = [case_manager]
    include_in_schema = False
    exception_handlers = {HTTPException: translated_error}

    @get("/", operation_id="referralSlipPage",
         summary="The referral slip in the client's language, to print")
    async def page(
        self, request: Request, referral_id: FromPath[UUID], lang: FromQuery[Language] = "",
        size: FromQuery[Size] = "a4", done: FromQuery[Literal["", "sent"]] = "",
    ) -> Template:
        data = await slips.gather(referral_id, current_user(request), remote_addr(request), lang)
        return render(request, "referrals/slip.html", {
            **await sheet_with_map(data, size),
            "languages_available": slips.slip_texts(),
            "sizes": SIZES,
            "can_mail": await slip_mail.can_mail(referral_id),
            "done": done,
        })

    @get("/pdf", operation_id="referralSlipPdf", summary="The referral slip as a PDF")
    async def pdf(
        self, request: Request, referral_id: FromPath[UUID], lang: FromQuery[Language] = "",
        size: FromQuery[Size] = "a4",
    ) -> Response[bytes]:
        data = await slips.gather(referral_id, current_user(request), remote_addr(request), lang)
        return Response(
            await slip_pdf(data, size),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{pdf_filename(data, size)}"'},
        )

    @post("/send", operation_id="sendReferralSlip",
          summary="Send the slip to the client by e-mail (PDF and appointment attached)")
    async def send(self, request: Request, referral_id: FromPath[UUID]) -> Response[Any]:
        form = await request.form()
        lang = str(form.get("lang") or "")[:20]
        size: Size = "a5" if form.get("size") == "a5" else "a4"
        await slip_mail.request_mail(
            referral_id, current_user(request), lang, size, remote_addr(request)
        )
        return Redirect(
            f"/referrals/{referral_id}/slip?lang={lang}&size={size}&done=sent", status_code=303
        )


@get("/slip-calendar/{token:str}", operation_id="slipCalendar", opt={"public": True},
     include_in_schema=False, summary="The appointment of a slip's QR code, for a phone")
async def slip_calendar(token: FromPath[str]) -> Response[bytes]:
    body = await slips.calendar_for_link(token.removesuffix(".ics")[:400])
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="termin.ics"'},
    )


ROUTES: list[Any] = [SlipPages, slip_calendar]
