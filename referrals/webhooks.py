"""Webhooks to provider systems: endpoints per organisation, signed deliveries, retried.

A delivery is recorded per endpoint and event; the outbox retries the event (with back-off)
until every endpoint has it, and a delivery that succeeded is never sent again.

Endpoints must be https addresses on the public internet (`core.outbound`), checked when
registered and again, against the address actually called, at every delivery. A failure is
recorded as one generic error whatever answered, so that the error cannot be used to learn
what listens on a port; the status code of an answer is kept (for the operators, in the
delivery row) only for allow-listed internal targets.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

import httpx
import msgspec
from litestar.exceptions import NotFoundException

from accounts.identity import CurrentUser
from accounts.roles import Role
from core import outbound
from core.db import atomic
from referrals.signing import DELIVERY_HEADER, EVENT_HEADER, new_secret, signed_headers
from referrals.tables import WebhookDelivery, WebhookEndpoint

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# The one error recorded for every failed delivery (refused address, no connection, non-2xx).
DELIVERY_FAILED = "delivery failed (no 2xx answer)"
# Roles that may manage the webhooks of their organisation.
MANAGING_ROLES = (Role.PROVIDER_STAFF, Role.CASE_MANAGER)


class EndpointIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    organization_id: UUID
    url: Annotated[str, msgspec.Meta(max_length=500)]
    description: Annotated[str, msgspec.Meta(max_length=255)] = ""


class EndpointOut(msgspec.Struct):
    id: UUID
    organization_id: UUID
    url: str
    description: str
    active: bool
    created_at: datetime
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_error: str
    # Only in the answer to the creation: store it, it is not shown again.
    secret: str | None = None


def _out(row: dict[str, Any], secret: str | None = None) -> EndpointOut:
    return EndpointOut(
        id=row["id"],
        organization_id=row["organization"],
        url=row["url"],
        description=row["description"],
        active=row["active"],
        created_at=row["created_at"],
        last_success_at=row["last_success_at"],
        last_failure_at=row["last_failure_at"],
        last_error=row["last_error"],
        secret=secret,
    )


async def create_endpoint(data: EndpointIn, actor: CurrentUser) -> EndpointOut:
    """Registers an endpoint; raises `outbound.OutboundRefusedError` for an address not allowed."""
    if data.organization_id not in actor.org_ids_with(*MANAGING_ROLES):
        raise NotFoundException("No such organisation among yours.")
    await outbound.check(data.url)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        id=uuid4(),
        organization=data.organization_id,
        url=data.url.strip(),
        secret=secret,
        description=data.description.strip(),
        created_by=actor.id,
        created_at=datetime.now(UTC),
    )
    async with atomic():
        await WebhookEndpoint.insert(endpoint)
    row = await WebhookEndpoint.select().where(WebhookEndpoint.id == endpoint.id).first()
    assert row is not None
    return _out(row, secret)


async def list_endpoints(actor: CurrentUser) -> list[EndpointOut]:
    orgs = list(actor.org_ids_with(*MANAGING_ROLES))
    if not orgs:
        return []
    rows = await WebhookEndpoint.select().where(WebhookEndpoint.organization.is_in(orgs))
    return [_out(row) for row in rows]


async def delete_endpoint(endpoint_id: UUID, actor: CurrentUser) -> None:
    orgs = list(actor.org_ids_with(*MANAGING_ROLES))
    async with atomic():
        deleted = (
            await WebhookEndpoint.delete()
            .where((WebhookEndpoint.id == endpoint_id) & WebhookEndpoint.organization.is_in(
                orgs or [uuid4()]
            ))
            .returning(WebhookEndpoint.id)
        )
    if not deleted:
        raise NotFoundException("No such webhook among your organisation's.")


def body_of(event_id: str, event_type: str, data: dict[str, Any], at: datetime) -> bytes:
    document = {"id": event_id, "type": event_type, "created_at": at.isoformat(), "data": data}
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


async def _pending(
    endpoint: dict[str, Any], event_key: str, event_type: str, data: dict[str, Any]
) -> dict[str, Any] | None:
    """The delivery row of this event for this endpoint (created if new); None if delivered."""
    key = f"{endpoint['id']}:{event_key}"
    row = await WebhookDelivery.select().where(WebhookDelivery.dedupe_key == key).first()
    if row is None:
        async with atomic():
            await WebhookDelivery.insert(
                WebhookDelivery(
                    id=uuid4(), endpoint=endpoint["id"], dedupe_key=key, topic=event_type,
                    payload=data, created_at=datetime.now(UTC),
                )
            )
        row = await WebhookDelivery.select().where(WebhookDelivery.dedupe_key == key).first()
    if row is None or row["status"] == "delivered":
        return None
    return row


async def _post(
    http: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]
) -> int | None:
    """POSTs to the checked address; the status code (0 for a non-2xx answer from a target
    that is not allow-listed), None when the address was refused or nothing answered."""
    try:
        target = await outbound.check(url)
        response = await http.send(target.request(http, "POST", headers, content=body), stream=True)
        await response.aclose()  # the body is not read: only the status counts
    except (outbound.OutboundRefusedError, httpx.HTTPError):
        return None
    status = response.status_code
    return status if 200 <= status < 300 or target.allow_listed else 0


async def deliver(
    event_key: str, event_type: str, orgs: set[UUID], data: dict[str, Any]
) -> list[str]:
    """POST the event to every active endpoint of `orgs` that has not had it; returns failures."""
    if not orgs:
        return []
    endpoints = await WebhookEndpoint.select().where(
        WebhookEndpoint.organization.is_in(list(orgs)) & (WebhookEndpoint.active == True)  # noqa: E712
    )
    if not endpoints:
        return []
    failures: list[str] = []
    async with outbound.client(TIMEOUT) as http:
        for endpoint in endpoints:
            delivery = await _pending(endpoint, event_key, event_type, data)
            if delivery is None:
                continue
            body = body_of(str(delivery["id"]), event_type, data, delivery["created_at"])
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "Lotse-Webhooks/1",
                EVENT_HEADER: event_type,
                DELIVERY_HEADER: str(delivery["id"]),
                **signed_headers(endpoint["secret"], body),
            }
            status = await _post(http, endpoint["url"], body, headers)
            ok = status is not None and 200 <= status < 300
            error = "" if ok else DELIVERY_FAILED
            now = datetime.now(UTC)
            async with atomic():
                await WebhookDelivery.update(
                    {
                        WebhookDelivery.status: "delivered" if ok else "pending",
                        WebhookDelivery.attempts: WebhookDelivery.attempts + 1,
                        WebhookDelivery.last_status_code: status if status else None,
                        WebhookDelivery.last_error: error,
                        WebhookDelivery.delivered_at: now if ok else None,
                    }
                ).where(WebhookDelivery.id == delivery["id"])
                await WebhookEndpoint.update(
                    {WebhookEndpoint.last_success_at: now, WebhookEndpoint.last_error: ""}
                    if ok
                    else {WebhookEndpoint.last_failure_at: now, WebhookEndpoint.last_error: error}
                ).where(WebhookEndpoint.id == endpoint["id"])
            if not ok:
                failures.append(f"{endpoint['id']}: {error}")
    return failures
