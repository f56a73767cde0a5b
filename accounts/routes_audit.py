"""The audit log, read-only: network admins see the whole network, others their organisations.

An organisation's own entries are those about its data and those made by its staff; viewers see
none (they never touch personal data).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromQuery
from litestar.response import Template

from accounts import audit
from accounts.guards import current_user, member, network_admin
from accounts.identity import CurrentUser
from accounts.organizations import organization_choices, organization_names
from accounts.roles import Role
from accounts.tables import User
from core.i18n import N_
from core.templates import render
from core.web import Page, page_params

READER_ROLES = (Role.CASE_MANAGER, Role.PROVIDER_STAFF)
PER_PAGE = 50


class AuditEntryOut(msgspec.Struct):
    id: int
    at: datetime
    actor_user: UUID | None
    actor_name: str
    actor_organization: UUID | None
    actor_organization_name: str
    action: str
    subject_type: str
    subject_id: UUID | None
    owner_organization: UUID | None
    detail: dict[str, Any]
    remote_addr: str
    entry_hash: str


class VerifyOut(msgspec.Struct):
    ok: bool
    checked: int
    head_hash: str
    first_bad_id: int | None
    problem: str


def visible_organizations(user: CurrentUser, requested: UUID | None) -> set[UUID] | None:
    """None means every organisation (network admins without a filter)."""
    if user.is_network_admin:
        return {requested} if requested else None
    own = user.org_ids_with(*READER_ROLES)
    if not own:
        raise PermissionDeniedException(N_("Your role does not allow this."))
    if requested is not None:
        # Another organisation's entries look exactly like an empty result.
        return own & {requested}
    return own


async def _names(rows: list[dict[str, Any]]) -> tuple[dict[Any, str], dict[Any, str]]:
    user_ids = list({r["actor_user"] for r in rows if r["actor_user"]})
    org_ids = list({r["actor_organization"] for r in rows if r["actor_organization"]})
    users = (
        await User.select(User.id, User.display_name).where(User.id.is_in(user_ids))
        if user_ids
        else []
    )
    return {u["id"]: u["display_name"] for u in users}, await organization_names(org_ids)


async def entries_page(
    user: CurrentUser,
    organization_id: UUID | None,
    action: str,
    subject_id: UUID | None,
    page: int,
    per_page: int,
) -> Page[AuditEntryOut]:
    offset, limit = page_params(page, per_page)
    rows, total = await audit.list_entries(
        organizations=visible_organizations(user, organization_id),
        action=action[:60] or None,
        subject_id=subject_id,
        offset=offset,
        limit=limit,
    )
    users, orgs = await _names(rows)
    items = [
        AuditEntryOut(
            id=r["id"],
            at=r["at"],
            actor_user=r["actor_user"],
            actor_name=users.get(r["actor_user"], ""),
            actor_organization=r["actor_organization"],
            actor_organization_name=orgs.get(r["actor_organization"], ""),
            action=r["action"],
            subject_type=r["subject_type"],
            subject_id=r["subject_id"],
            owner_organization=r["owner_organization"],
            detail=r["detail"],
            remote_addr=r["remote_addr"],
            entry_hash=r["entry_hash"],
        )
        for r in rows
    ]
    return Page(items=items, total=total, page=page, per_page=per_page)


@get("/api/audit", operation_id="listAuditEntries", tags=["audit"], guards=[member])
async def api_audit(
    request: Request,
    organization_id: FromQuery[UUID | None] = None,
    action: FromQuery[str] = "",
    subject_id: FromQuery[UUID | None] = None,
    page: FromQuery[int] = 1,
    per_page: FromQuery[int] = PER_PAGE,
) -> Page[AuditEntryOut]:
    """List audit entries.

    Audit entries, newest first: all for network admins, your organisations' otherwise.
    """
    return await entries_page(
        current_user(request), organization_id, action, subject_id, page, per_page
    )


@get("/api/audit/verify", operation_id="verifyAuditChain", tags=["audit"], guards=[network_admin])
async def api_verify(request: Request) -> VerifyOut:
    """Verify the audit chain.

    Recompute the hash chain; names the first entry that was altered, inserted or removed.
    """
    result = await audit.verify_chain()
    return VerifyOut(
        ok=result.ok,
        checked=result.checked,
        head_hash=result.head_hash,
        first_bad_id=result.first_bad_id,
        problem=result.problem,
    )


@get("/audit", operation_id="auditPage", guards=[member], include_in_schema=False)
async def audit_page(
    request: Request,
    organization_id: FromQuery[UUID | None] = None,
    action: FromQuery[str] = "",
    subject_id: FromQuery[UUID | None] = None,
    page: FromQuery[int] = 1,
    verify: FromQuery[bool] = False,
) -> Template:
    user = current_user(request)
    result = await entries_page(user, organization_id, action, subject_id, page, PER_PAGE)
    if user.is_network_admin:
        choices = [{"id": o.id, "name": o.name}
                   for o in await organization_choices(include_retired=True)]
    else:
        choices = [
            {"id": m.organization_id, "name": m.organization_name}
            for m in user.memberships
            if m.role in READER_ROLES
        ]
    verified = await audit.verify_chain() if verify and user.is_network_admin else None
    return render(
        request,
        "accounts/audit.html",
        {
            "result": result,
            "pages": max(1, -(-result.total // PER_PAGE)),
            "organisations": choices,
            "organization_id": organization_id,
            "action": action,
            "subject_id": subject_id or "",
            "action_labels": audit.ACTION_LABELS,
            "verified": verified,
        },
    )


ROUTES: list[Any] = [api_audit, api_verify, audit_page]
