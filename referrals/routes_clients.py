"""JSON API of clients and consents: /api/clients, its personal data, consents, export, erasure.

Every handler needs a case manager; a client of another organisation answers 404 exactly like a
client that does not exist, so neither its existence nor its data leaks.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.guards import case_manager, current_user
from clients import api as clients
from core.errors import InputProblems, Problem
from core.i18n import N_
from core.web import Page, page_params
from referrals.gdpr import export_client
from referrals.withdrawals import open_referrals


def remote_addr(request: Request) -> str:
    return request.client.host if request.client else ""


class ClientOut(msgspec.Struct):
    id: UUID
    pseudonym: str
    organization_id: UUID
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None


class RecipientOut(msgspec.Struct):
    id: UUID
    name: str


class ConsentOut(msgspec.Struct):
    id: UUID
    client_id: UUID
    recipients: list[RecipientOut]
    purpose: str
    data_categories: list[str]
    special_categories: bool
    valid_from: date
    valid_until: date
    evidence: str
    evidence_note: str
    recorded_by: UUID
    recorded_at: datetime
    withdrawn_at: datetime | None
    withdrawn_by: UUID | None
    active: bool
    # The consent text the client read: catalog language and version (the evidence).
    text_language: str = "de"
    text_version: str = ""


class ClientDetailOut(ClientOut):
    consents: list[ConsentOut]


class PersonalDataOut(msgspec.Struct):
    client_id: UUID
    categories: dict[str, dict[str, Any]]


class WithdrawIn(msgspec.Struct, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class WithdrawalOut(msgspec.Struct):
    consent: ConsentOut
    # The referrals that were open under the consent: they are cancelled right after.
    cancelled_referral_ids: list[UUID]
    recipient_org_ids: list[UUID]


class EraseIn(msgspec.Struct, forbid_unknown_fields=True):
    # The current pseudonym, typed again: guards against erasing the wrong client by id.
    confirm_pseudonym: str


class ErasureOut(msgspec.Struct):
    client_id: UUID
    erased: bool
    # The client's referrals that were open: they are cancelled right after.
    cancelled_referral_ids: list[UUID]


class ConsentOptions(msgspec.Struct):
    categories: list[str]
    special_categories: list[str]
    purposes: list[str]
    evidence: list[str]


def client_out(client: clients.ClientRecord) -> ClientOut:
    return ClientOut(
        id=client.id,
        pseudonym=client.pseudonym,
        organization_id=client.organization,
        created_at=client.created_at,
        updated_at=client.updated_at,
        erased_at=client.erased_at,
    )


def consent_out(consent: clients.ConsentRecord) -> ConsentOut:
    return ConsentOut(
        id=consent.id,
        client_id=consent.client,
        recipients=[RecipientOut(id=r.id, name=r.name) for r in consent.recipients],
        purpose=consent.purpose,
        data_categories=consent.data_categories,
        special_categories=consent.special_categories,
        valid_from=consent.valid_from,
        valid_until=consent.valid_until,
        evidence=consent.evidence,
        evidence_note=consent.evidence_note,
        recorded_by=consent.recorded_by,
        recorded_at=consent.recorded_at,
        withdrawn_at=consent.withdrawn_at,
        withdrawn_by=consent.withdrawn_by,
        active=consent.active,
        text_language=consent.text_language,
        text_version=consent.text_version,
    )


async def consent_outs(client_id: UUID) -> list[ConsentOut]:
    return [consent_out(c) for c in await clients.consents_of_client(client_id)]


GUARDS = [case_manager]
TAGS = ["clients"]


@get("/api/clients", operation_id="listClients", guards=GUARDS, tags=TAGS)
async def api_list_clients(
    request: Request,
    q: FromQuery[str] = "",
    organization_id: FromQuery[UUID | None] = None,
    include_erased: FromQuery[bool] = False,
    page: FromQuery[int] = 1,
    per_page: FromQuery[int] = 50,
) -> Page[ClientOut]:
    """List clients.

    Clients of your organisations, paged, newest first, found by pseudonym; only pseudonymous
    fields, never personal data (erased ones with `include_erased`).
    """
    offset, limit = page_params(page, per_page)
    rows, total = await clients.list_clients(
        current_user(request),
        query=q[:40],
        organization_id=organization_id,
        include_erased=include_erased,
        offset=offset,
        limit=limit,
    )
    return Page(items=[client_out(c) for c in rows], total=total, page=page, per_page=per_page)


@post(
    "/api/clients",
    operation_id="createClient",
    status_code=HTTP_201_CREATED,
    guards=GUARDS,
    tags=TAGS,
)
async def api_create_client(request: Request, data: JSONBody[clients.ClientInput]) -> ClientOut:
    """Record a client.

    A new client of your organisation; personal data are encrypted with the client's own key and
    the creation is audited.
    """
    client = await clients.create_client(
        current_user(request),
        data.personal(),
        remote_addr(request),
        organization_id=data.organization_id,
        pseudonym=data.pseudonym,
    )
    return client_out(client)


@get("/api/clients/{client_id:uuid}", operation_id="getClient", guards=GUARDS, tags=TAGS)
async def api_get_client(request: Request, client_id: FromPath[UUID]) -> ClientDetailOut:
    """Read one client.

    The client's pseudonymous record (no personal data; read those with `personal-data`).
    """
    client = await clients.owned_client(client_id, current_user(request))
    base = msgspec.structs.asdict(client_out(client))
    return ClientDetailOut(**base, consents=await consent_outs(client.id))


@patch("/api/clients/{client_id:uuid}", operation_id="updateClient", guards=GUARDS, tags=TAGS)
async def api_update_client(
    request: Request, client_id: FromPath[UUID], data: JSONBody[clients.ClientChanges]
) -> ClientOut:
    """Change a client.

    Changes only the fields sent; personal data are encrypted again and the change is audited.
    """
    client = await clients.update_client(
        client_id, data, current_user(request), remote_addr(request)
    )
    return client_out(client)


@get(
    "/api/clients/{client_id:uuid}/personal-data",
    operation_id="revealPersonalData",
    guards=GUARDS,
    tags=TAGS,
)
async def api_personal_data(
    request: Request,
    client_id: FromPath[UUID],
    categories: FromQuery[list[str] | None] = None,
) -> PersonalDataOut:
    """Read a client's personal data.

    Decrypts the requested categories (all when none are given); the read is audited.
    """
    wanted = categories or list(clients.CATEGORIES)
    values = await clients.reveal_personal_data(
        client_id, wanted, current_user(request), remote_addr(request)
    )
    return PersonalDataOut(client_id=client_id, categories=values)


@get("/api/clients/{client_id:uuid}/export", operation_id="exportClient", guards=GUARDS, tags=TAGS)
async def api_export_client(request: Request, client_id: FromPath[UUID]) -> dict[str, Any]:
    """Export a client's data.

    Everything stored about the client (GDPR Art. 15).
    """
    return await export_client(client_id, current_user(request), remote_addr(request))


@post(
    "/api/clients/{client_id:uuid}/erase",
    operation_id="eraseClient",
    status_code=HTTP_200_OK,
    guards=GUARDS,
    tags=TAGS,
)
async def api_erase_client(
    request: Request, client_id: FromPath[UUID], data: JSONBody[EraseIn]
) -> ErasureOut:
    """Erase a client.

    Erase the client (GDPR Art. 17): the key is destroyed, free texts are cleared.
    """
    user = current_user(request)
    client = await clients.owned_client(client_id, user)
    if client.erased_at is None and data.confirm_pseudonym.strip() != client.pseudonym:
        raise InputProblems(
            [
                Problem(
                    "confirm_pseudonym",
                    N_("Type the client's pseudonym exactly to confirm the erasure."),
                )
            ]
        )
    open_before = await open_referrals(client_id=client_id)
    await clients.erase_client(client_id, user, remote_addr(request))
    return ErasureOut(client_id=client_id, erased=True, cancelled_referral_ids=open_before)


@get(
    "/api/clients/{client_id:uuid}/consents", operation_id="listConsents", guards=GUARDS, tags=TAGS
)
async def api_list_consents(request: Request, client_id: FromPath[UUID]) -> list[ConsentOut]:
    """List a client's consents.

    Every consent of the client, newest first, with recipients, purpose, data categories,
    validity and withdrawal.
    """
    await clients.owned_client(client_id, current_user(request))
    return await consent_outs(client_id)


@post(
    "/api/clients/{client_id:uuid}/consents",
    operation_id="recordConsent",
    status_code=HTTP_201_CREATED,
    guards=GUARDS,
    tags=TAGS,
)
async def api_record_consent(
    request: Request, client_id: FromPath[UUID], data: JSONBody[clients.ConsentInput]
) -> ConsentOut:
    """Record a consent.

    What the client agreed to share, with whom, for what and how long, and how it was given;
    referrals may only share what a valid consent covers.
    """
    consent = await clients.record_consent(
        client_id, data, current_user(request), remote_addr(request)
    )
    return consent_out(consent)


@get(
    "/api/clients/{client_id:uuid}/consents/{consent_id:uuid}",
    operation_id="getConsent",
    guards=GUARDS,
    tags=TAGS,
)
async def api_get_consent(
    request: Request, client_id: FromPath[UUID], consent_id: FromPath[UUID]
) -> ConsentOut:
    """Read one consent.

    One consent of the client with its recipients, categories and validity.
    """
    return consent_out(
        await clients.consent_of_client(client_id, consent_id, current_user(request))
    )


@post(
    "/api/clients/{client_id:uuid}/consents/{consent_id:uuid}/withdraw",
    operation_id="withdrawConsent",
    status_code=HTTP_200_OK,
    guards=GUARDS,
    tags=TAGS,
)
async def api_withdraw_consent(
    request: Request,
    client_id: FromPath[UUID],
    consent_id: FromPath[UUID],
    data: JSONBody[WithdrawIn | None] = None,
) -> WithdrawalOut:
    """Withdraw a consent.

    Withdraw at once: recipients lose access; open referrals are cancelled, recipients told.
    """
    user = current_user(request)
    await clients.consent_of_client(client_id, consent_id, user)
    open_before = await open_referrals(consent_id=consent_id)
    consent = await clients.withdraw_consent(
        client_id, consent_id, user, remote_addr(request), note=data.note if data else ""
    )
    return WithdrawalOut(
        consent=consent_out(consent),
        cancelled_referral_ids=open_before,
        recipient_org_ids=[r.id for r in consent.recipients],
    )


@get("/api/consent-options", operation_id="consentOptions", tags=["clients"])
async def api_consent_options() -> ConsentOptions:
    """Consent codes.

    The codes a consent is made of, for forms of integrating systems.
    """
    return ConsentOptions(
        categories=list(clients.CATEGORIES),
        special_categories=sorted(clients.SPECIAL_CATEGORIES),
        purposes=list(clients.PURPOSES),
        evidence=list(clients.EVIDENCE_KINDS),
    )


ROUTES: list[Any] = [
    api_list_clients,
    api_create_client,
    api_get_client,
    api_update_client,
    api_personal_data,
    api_export_client,
    api_erase_client,
    api_list_consents,
    api_record_consent,
    api_get_consent,
    api_withdraw_consent,
    api_consent_options,
]
