"""Pages of a client's consents: record, look at, print (in the catalog's languages, German
beside every translation) and withdraw."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from babel.dates import format_date
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from accounts.guards import case_manager, current_user
from clients import api as clients
from core.errors import InputProblems, Problem
from core.templates import render
from core.text_catalog import LanguageText
from core.time import berlin_today
from directory import api as directory
from referrals.client_forms import consent_defaults, consent_values, parse_consent
from referrals.page_helpers import STATE_LABELS
from referrals.pages_clients import labels, problem_context, translated_error
from referrals.routes_clients import ConsentOut, consent_out, remote_addr
from referrals.slip import slip_language
from referrals.withdrawals import open_referrals, open_referrals_named


async def organisation_choices(exclude: UUID) -> list[dict[str, Any]]:
    refs = await directory.organization_choices(include_retired=True)
    return [{"id": str(ref.id), "name": ref.name} for ref in refs if ref.id != exclude]


def _doc_date(value: date, code: str) -> str:
    return (
        format_date(value, "d MMMM yyyy", locale="en")
        if code == "en"
        else value.strftime("%d.%m.%Y")
    )


async def _document(
    client: clients.ClientRecord,
    *,
    recipients: list[str],
    purpose: str,
    categories: list[str],
    special: bool,
    valid_from: date,
    valid_until: date,
    code: str,
    recorded: ConsentOut | None = None,
) -> dict[str, Any]:
    controller = (await directory.organization_names([client.organization])).get(
        client.organization, "")
    return {
        "pseudonym": client.pseudonym,
        "controller": controller,
        "recipients": recipients,
        "purpose": purpose if purpose in clients.PURPOSES else clients.PURPOSE_REFERRAL,
        "categories": [c for c in clients.CATEGORIES if c in categories],
        "special": special,
        "valid_from": _doc_date(valid_from, code),
        "valid_until": _doc_date(valid_until, code),
        "recorded": recorded is not None,
        "evidence": recorded.evidence if recorded else "",
        "recorded_at": _doc_date(recorded.recorded_at.date(), code) if recorded else "",
    }


async def _texts(
    chosen: LanguageText, doc: Callable[[str], Awaitable[dict[str, Any]]]
) -> dict[str, Any]:
    """The chosen text and, beside any translation, the German original it must be read with."""
    german = clients.consent_text("de")
    beside = chosen.code != german.code
    return {
        "v": chosen,
        "doc": await doc(chosen.code),
        "german": german if beside else None,
        "doc_de": await doc(german.code) if beside else None,
        "unreviewed": slip_language(chosen.code)["unreviewed"],
        "unreviewed_de": slip_language("de")["unreviewed"],
        "variants": clients.consent_texts(),
    }


class ConsentPages(Controller):
    path = "/clients/{client_id:uuid}/consents"
    guards = [case_manager]
    include_in_schema = False
    exception_handlers = {HTTPException: translated_error}

    async def _form(
        self,
        request: Request,
        client: clients.ClientRecord,
        values: dict[str, Any],
        problems: list[Problem],
        status_code: int = 200,
    ) -> Template:
        return render(
            request,
            "referrals/consent_form.html",
            {
                "client": client,
                "values": values,
                "organisations": await organisation_choices(client.organization),
                "purposes": clients.PURPOSES,
                "evidence_kinds": clients.EVIDENCE_KINDS,
                "variants": clients.consent_texts(),
                **labels(),
                **problem_context(request, problems),
            },
            status_code=status_code,
        )

    @get("/new", operation_id="consentNewPage")
    async def new_page(
        self, request: Request, client_id: FromPath[UUID], recipient: FromQuery[str] = "",
        category: FromQuery[list[str] | None] = None,
    ) -> Template:
        client = await clients.owned_client(client_id, current_user(request))
        if client.erased_at is not None:
            raise clients.ClientErased()
        values = consent_defaults()
        if recipient:
            values["recipient_org_ids"] = [recipient]
        if category:
            # "Extend the consent" from the referral form: what it covers plus what was missing.
            values["data_categories"] = [c for c in clients.CATEGORIES if c in set(category)]
        return await self._form(request, client, values, [])

    @post("/new", operation_id="consentRecordPage")
    async def record(self, request: Request, client_id: FromPath[UUID]) -> Response[Any]:
        user = current_user(request)
        client = await clients.owned_client(client_id, user)
        form = await request.form()
        data, problems = parse_consent(form)
        if data is None:
            return await self._form(request, client, consent_values(form), problems, 400)
        try:
            consent = await clients.record_consent(client.id, data, user, remote_addr(request))
        except InputProblems as error:
            return await self._form(request, client, consent_values(form), error.problems, 400)
        return Redirect(
            f"/clients/{client.id}/consents/{consent.id}?done=recorded", status_code=303
        )

    @get("/preview", operation_id="consentPreviewPage")
    async def preview(
        self, request: Request, client_id: FromPath[UUID], variant_code: FromQuery[str] = "de"
    ) -> Template:
        """The printable text of a consent not recorded yet, from the form's current choices."""
        client = await clients.owned_client(client_id, current_user(request))
        values = consent_values(request.query_params)
        ids = set(values["recipient_org_ids"])
        names = [
            o["name"] for o in await organisation_choices(client.organization) if o["id"] in ids
        ]
        today = berlin_today()

        async def doc(code: str) -> dict[str, Any]:
            return await _document(
                client,
                recipients=names,
                purpose=values["purpose"],
                categories=values["data_categories"],
                special=values["special_categories"],
                valid_from=_parsed(values["valid_from"]) or today,
                valid_until=_parsed(values["valid_until"]) or today + timedelta(days=365),
                code=code,
            )

        chosen = clients.consent_text(variant_code)
        return render(request, "referrals/consent_print.html", {
            "client": client, "consent": None, "query": request.url.query,
            **await _texts(chosen, doc),
        })

    @get("/{consent_id:uuid}", operation_id="consentPage")
    async def detail(
        self,
        request: Request,
        client_id: FromPath[UUID],
        consent_id: FromPath[UUID],
        done: FromQuery[str] = "",
        cancelled: FromQuery[int] = 0,
    ) -> Template:
        user = current_user(request)
        client = await clients.owned_client(client_id, user)
        consent = await clients.consent_of_client(client_id, consent_id, user)
        return render(
            request,
            "referrals/consent_detail.html",
            {
                "client": client,
                "consent": consent_out(consent),
                "done": done,
                "cancelled": cancelled,
                "variants": clients.consent_texts(),
                **labels(),
            },
        )

    @get("/{consent_id:uuid}/print", operation_id="consentPrintPage")
    async def print_page(
        self,
        request: Request,
        client_id: FromPath[UUID],
        consent_id: FromPath[UUID],
        variant_code: FromQuery[str] = "",
    ) -> Template:
        user = current_user(request)
        client = await clients.owned_client(client_id, user)
        consent = consent_out(await clients.consent_of_client(client_id, consent_id, user))

        async def doc(code: str) -> dict[str, Any]:
            return await _document(
                client,
                recipients=[r.name for r in consent.recipients],
                purpose=consent.purpose,
                categories=consent.data_categories,
                special=consent.special_categories,
                valid_from=consent.valid_from,
                valid_until=consent.valid_until,
                code=code,
                recorded=consent,
            )

        # By default the text in the language the client read.
        chosen = clients.consent_text(variant_code or consent.text_language)
        return render(request, "referrals/consent_print.html", {
            "client": client, "consent": consent, "query": "",
            **await _texts(chosen, doc),
        })

    @post("/{consent_id:uuid}/withdraw", operation_id="consentWithdrawPage")
    async def withdraw(
        self, request: Request, client_id: FromPath[UUID], consent_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await request.form()
        note = str(form.get("note") or "")[:500]
        user = current_user(request)
        consent = await clients.consent_of_client(client_id, consent_id, user)
        if form.get("confirmed") != "yes" and consent_out(consent).withdrawn_at is None:
            # First the person sees what the withdrawal ends, then confirms it.
            client = await clients.owned_client(client_id, user)
            return render(
                request,
                "referrals/consent_withdraw_confirm.html",
                {
                    "client": client,
                    "consent": consent_out(consent),
                    "note": note,
                    "referrals": await open_referrals_named(consent_id),
                    "state_labels": STATE_LABELS,
                    **labels(),
                },
            )
        # Open referrals under the consent: the exchange cancels them right after.
        count = len(await open_referrals(consent_id=consent_id))
        await clients.withdraw_consent(
            client_id, consent_id, user, remote_addr(request), note=note
        )
        return Redirect(
            f"/clients/{client_id}/consents/{consent_id}?done=withdrawn&cancelled={count}",
            status_code=303,
        )


def _parsed(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


ROUTES: list[Any] = [ConsentPages]
