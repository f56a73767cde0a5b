"""Pages of the clients: list, record, look at, change, export and erase.

The pseudonym is all a page shows until someone asks to see the personal data; that look is
written to the audit log like every other read.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from babel import Locale
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from accounts.guards import case_manager, current_user
from accounts.identity import CurrentUser
from accounts.roles import Role
from clients import api as clients
from core.errors import InputProblems, Problem
from core.i18n import N_, gettext_for, pick_language
from core.templates import render
from core.web import http_error, page_params
from referrals.client_forms import (
    COMMON_LANGUAGES,
    organization_choice,
    parse_personal,
    personal_values,
)
from referrals.gdpr import export_client
from referrals.page_helpers import labels as referral_labels
from referrals.routes_clients import consent_outs, remote_addr

PER_PAGE = 25


def translated_error(request: Request, exc: HTTPException) -> Response[Any]:
    """Domain messages are msgids: show them in the reader's language."""
    t = gettext_for(request)
    if isinstance(exc, InputProblems):
        exc.detail = " ".join(p.text(t.gettext) for p in exc.problems)
    else:
        exc.detail = t.gettext(exc.detail)
    return http_error(request, exc)


def language_names(lang: str, codes: list[str] | tuple[str, ...]) -> dict[str, str]:
    names = Locale.parse(lang).languages
    return {code: names.get(code, code) for code in codes}


def problem_context(request: Request, problems: list[Problem]) -> dict[str, Any]:
    t = gettext_for(request)
    texts = [(p.field, p.text(t.gettext)) for p in problems]
    return {"problems": texts, "field_errors": dict(reversed(texts))}


def labels() -> dict[str, Any]:
    return {
        "category_labels": clients.CATEGORY_LABELS,
        "purpose_labels": clients.PURPOSE_LABELS,
        "evidence_labels": clients.EVIDENCE_LABELS,
        "categories": clients.CATEGORIES,
    }


def managed_orgs(user: CurrentUser) -> list[dict[str, Any]]:
    orgs = user.org_ids_with(Role.CASE_MANAGER)
    return [
        {"id": m.organization_id, "name": m.organization_name}
        for m in user.memberships
        if m.organization_id in orgs and m.role == Role.CASE_MANAGER
    ]


def _form_page(
    request: Request,
    *,
    client: clients.ClientRecord | None,
    values: dict[str, Any],
    problems: list[Problem],
    status_code: int = 200,
) -> Template:
    lang = pick_language(request)
    chosen = [c for c in values.get("languages", []) if c not in COMMON_LANGUAGES]
    if chosen and not values.get("other_languages"):
        values["other_languages"] = ", ".join(chosen)
    return render(
        request,
        "referrals/client_form.html",
        {
            "client": client,
            "values": values,
            "organisations": managed_orgs(current_user(request)),
            "language_names": language_names(lang, COMMON_LANGUAGES),
            **problem_context(request, problems),
        },
        status_code=status_code,
    )


def _stored_values(data: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for fields in data.values():
        flat.update(fields)
    flat["birth_date"] = flat.get("birth_date") or ""
    flat["languages"] = flat.get("languages") or []
    return flat


class ClientPages(Controller):
    path = "/clients"
    guards = [case_manager]
    include_in_schema = False
    exception_handlers = {HTTPException: translated_error}

    @get("/", operation_id="clientListPage")
    async def list_page(
        self, request: Request, q: FromQuery[str] = "", page: FromQuery[int] = 1
    ) -> Template:
        offset, limit = page_params(page, PER_PAGE)
        user = current_user(request)
        rows, total = await clients.list_clients(user, query=q[:40], offset=offset, limit=limit)
        orgs = {o["id"]: o["name"] for o in managed_orgs(user)}
        return render(
            request,
            "referrals/client_list.html",
            {
                "clients": rows,
                "total": total,
                "page": page,
                "pages": max(1, -(-total // PER_PAGE)),
                "q": q,
                "org_names": orgs if len(orgs) > 1 else {},
            },
        )

    @get("/new", operation_id="clientNewPage")
    async def new_page(self, request: Request) -> Template:
        return _form_page(request, client=None, values={"languages": []}, problems=[])

    @post("/new", operation_id="clientCreatePage")
    async def create(self, request: Request) -> Response[Any]:
        form = await request.form()
        personal, problems = parse_personal(form)
        if personal is None:
            return _form_page(
                request,
                client=None,
                values=personal_values(form),
                problems=problems,
                status_code=400,
            )
        try:
            client = await clients.create_client(
                current_user(request),
                personal,
                remote_addr(request),
                organization_id=organization_choice(form),
                pseudonym=str(form.get("pseudonym") or ""),
            )
        except InputProblems as error:
            return _form_page(
                request,
                client=None,
                values=personal_values(form),
                problems=error.problems,
                status_code=400,
            )
        return Redirect(f"/clients/{client.id}?done=created", status_code=303)

    @get("/{client_id:uuid}", operation_id="clientPage")
    async def detail_page(
        self, request: Request, client_id: FromPath[UUID], done: FromQuery[str] = ""
    ) -> Template:
        from referrals import views

        user = current_user(request)
        client = await clients.owned_client(client_id, user)
        referrals, _total = await views.list_sent(
            user,
            states=[],
            client_id=client.id,
            service_id=None,
            urgency=None,
            offset=0,
            limit=100,
        )
        return render(
            request,
            "referrals/client_detail.html",
            {
                "client": client,
                "consents": await consent_outs(client.id),
                "referrals": referrals,
                "done": done,
                "labels": referral_labels(gettext_for(request)),
                **labels(),
            },
        )

    @get("/{client_id:uuid}/personal", operation_id="clientPersonalPage")
    async def personal_page(self, request: Request, client_id: FromPath[UUID]) -> Template:
        user = current_user(request)
        client = await clients.owned_client(client_id, user)
        data = await clients.reveal_personal_data(
            client.id, list(clients.CATEGORIES), user, remote_addr(request)
        )
        values = _stored_values(data)
        return render(
            request,
            "referrals/client_personal.html",
            {
                "client": client,
                "data": values,
                "language_names": language_names(pick_language(request), values["languages"]),
            },
        )

    @get("/{client_id:uuid}/edit", operation_id="clientEditPage")
    async def edit_page(self, request: Request, client_id: FromPath[UUID]) -> Template:
        user = current_user(request)
        client = await clients.owned_client(client_id, user)
        data = await clients.reveal_personal_data(
            client.id, list(clients.CATEGORIES), user, remote_addr(request)
        )
        values = _stored_values(data) | {"pseudonym": client.pseudonym}
        return _form_page(request, client=client, values=values, problems=[])

    @post("/{client_id:uuid}/edit", operation_id="clientUpdatePage")
    async def update(self, request: Request, client_id: FromPath[UUID]) -> Response[Any]:
        user = current_user(request)
        client = await clients.owned_client(client_id, user)
        form = await request.form()
        personal, problems = parse_personal(form)
        if personal is None:
            return _form_page(
                request,
                client=client,
                values=personal_values(form),
                problems=problems,
                status_code=400,
            )
        changes = await clients.changes_against_stored(client.id, personal)
        pseudonym = str(form.get("pseudonym") or "").strip()
        if pseudonym and pseudonym != client.pseudonym:
            changes.pseudonym = pseudonym
        try:
            await clients.update_client(client.id, changes, user, remote_addr(request))
        except InputProblems as error:
            return _form_page(
                request,
                client=client,
                values=personal_values(form),
                problems=error.problems,
                status_code=400,
            )
        return Redirect(f"/clients/{client.id}?done=updated", status_code=303)

    @get("/{client_id:uuid}/export", operation_id="clientExportPage")
    async def export_page(self, request: Request, client_id: FromPath[UUID]) -> Template:
        export = await export_client(
            client_id, current_user(request), remote_addr(request), format_="page"
        )
        return render(
            request,
            "referrals/client_export.html",
            {"export": export, "labels": referral_labels(gettext_for(request)), **labels()},
        )

    @get("/{client_id:uuid}/export.json", operation_id="clientExportDownload")
    async def export_download(self, request: Request, client_id: FromPath[UUID]) -> Response[Any]:
        export = await export_client(client_id, current_user(request), remote_addr(request))
        name = f"lotse-export-{export['client']['pseudonym'] or client_id}.json"
        return Response(
            content=json.dumps(export, ensure_ascii=False, indent=2),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @get("/{client_id:uuid}/erase", operation_id="clientErasePage")
    async def erase_page(self, request: Request, client_id: FromPath[UUID]) -> Template:
        client = await clients.owned_client(client_id, current_user(request))
        return render(
            request,
            "referrals/client_erase.html",
            {"client": client, **problem_context(request, [])},
        )

    @post("/{client_id:uuid}/erase", operation_id="clientEraseAction")
    async def erase(self, request: Request, client_id: FromPath[UUID]) -> Response[Any]:
        user = current_user(request)
        client = await clients.owned_client(client_id, user)
        form = await request.form()
        typed = str(form.get("confirm_pseudonym") or "").strip()
        if client.erased_at is None and typed != client.pseudonym:
            problem = Problem(
                "confirm_pseudonym",
                N_("Type the client's pseudonym exactly to confirm the erasure."),
            )
            return render(
                request,
                "referrals/client_erase.html",
                {"client": client, **problem_context(request, [problem])},
                status_code=400,
            )
        await clients.erase_client(client.id, user, remote_addr(request))
        return Redirect(f"/clients/{client.id}?done=erased", status_code=303)


ROUTES: list[Any] = [ClientPages]
