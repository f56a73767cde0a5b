"""Page for an organisation's webhooks: provider systems that receive signed referral events."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from accounts.guards import current_user, member
from core import shown_once
from core.errors import ReadableError
from core.i18n import gettext_for
from core.templates import render
from referrals import webhooks
from referrals.page_helpers import error_text, optional_uuid, text


async def _page(
    request: Request, created: dict[str, str] | None = None, error: str | None = None,
    status_code: int = 200,
) -> Template:
    user = current_user(request)
    organizations = [
        m for m in user.memberships
        if m.organization_id in user.org_ids_with(*webhooks.MANAGING_ROLES)
    ]
    return render(
        request,
        "referrals/webhooks.html",
        {
            "endpoints": await webhooks.list_endpoints(user),
            "organizations": organizations,
            "created": created,
            "error": error,
        },
        status_code=status_code,
    )


@get("/webhooks", operation_id="webhooksPage", guards=[member], include_in_schema=False)
async def webhooks_page(request: Request) -> Template:
    shown = shown_once.taken(request)
    if shown is None or not shown.get("secret"):
        return await _page(request)
    return shown_once.forget(await _page(request, created=shown), "/webhooks")


@post("/webhooks", operation_id="webhooksPageCreate", guards=[member], include_in_schema=False)
async def webhooks_create(request: Request) -> Template | Redirect:
    form = await request.form()
    try:
        organization_id = optional_uuid(form, "organization_id")
        data = msgspec.convert(
            {"organization_id": str(organization_id or ""), "url": text(form, "url", 500),
             "description": text(form, "description", 255)},
            webhooks.EndpointIn,
        )
        created = await webhooks.create_endpoint(data, current_user(request))
    except msgspec.ValidationError:
        t = gettext_for(request)
        return await _page(request, error=t.gettext(
            "Choose the organisation and give the address."), status_code=400)
    except ReadableError as refused:
        return await _page(request, error=refused.translated(gettext_for(request).gettext),
                           status_code=refused.status_code)
    except HTTPException as error:
        return await _page(request, error=error_text(request, error),
                           status_code=error.status_code)
    # The signing secret is shown once, on the page the redirect leads to.
    return shown_once.redirect_with("/webhooks", {"url": created.url,
                                                  "secret": created.secret or ""})


@post("/webhooks/{endpoint_id:uuid}/delete", operation_id="webhooksPageDelete", guards=[member],
      include_in_schema=False)
async def webhooks_delete(request: Request, endpoint_id: FromPath[UUID]) -> Redirect:
    await webhooks.delete_endpoint(endpoint_id, current_user(request))
    return Redirect("/webhooks", status_code=303)


ROUTES = [webhooks_page, webhooks_create, webhooks_delete]
