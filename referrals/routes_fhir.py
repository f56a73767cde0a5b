"""The FHIR API of referrals (`/fhir/...`): read and search Tasks and ServiceRequests, and
let a provider's system answer a referral by updating its Task.

Same authentication (API token or session), guards and organisation scoping as the JSON API;
errors are FHIR OperationOutcomes with a 4xx status.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, Response, Router, get, put
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, QueryParameter

from accounts.guards import current_user, member
from core.urls import absolute_url
from referrals import fhir, fhir_updates, fhir_views
from referrals.routes_referrals import remote_addr

TAGS = ["fhir"]


def _resource(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=dict[str, Any], media_type=fhir.FHIR_JSON,
                        description=description, generate_examples=False)


# What the document says /fhir answers: FHIR JSON resources, and OperationOutcomes for every
# refusal (the JSON API's error body does not apply here).
RESPONSES: dict[int, ResponseSpec] = {
    200: _resource("A FHIR R4 resource or a searchset Bundle."),
    **{status: _resource("An OperationOutcome saying what to change.")
       for status in (400, 401, 403, 404, 409, 412)},
}
MAX_COUNT = 100
# When the /fhir API last changed what it offers (CapabilityStatement.date).
RELEASED = "2026-12-03"


def fhir_response(body: dict[str, Any], status_code: int = 200,
                  media_type: str = fhir.FHIR_JSON) -> Response[bytes]:
    headers: dict[str, str] = {}
    version = (body.get("meta") or {}).get("versionId")
    if version is not None:
        headers["ETag"] = f'W/"{version}"'
    return Response(msgspec.json.encode(body), status_code=status_code, media_type=media_type,
                    headers=headers)


def outcome(_request: Request, exc: HTTPException) -> Response[bytes]:
    """Every refusal under /fhir as an OperationOutcome that says what to do."""
    detail = exc.detail
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list) and exc.extra:
        detail = f"{detail}: " + "; ".join(
            str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in exc.extra
        )
    response = fhir_response(fhir.operation_outcome(exc.status_code, detail), exc.status_code)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _paging(count: int, offset: int) -> tuple[int, int]:
    if not 1 <= count <= MAX_COUNT:
        raise ValidationException(f"_count must be between 1 and {MAX_COUNT}.")
    if offset < 0:
        raise ValidationException("_offset must be 0 or more.")
    return offset, count


Statuses = Annotated[list[str] | None, QueryParameter(name="status")]
Count = Annotated[int, QueryParameter(name="_count")]
Offset = Annotated[int, QueryParameter(name="_offset")]


@get("/Task/{referral_id:uuid}", operation_id="readFhirTask", tags=TAGS,
     responses=RESPONSES, guards=[member])
async def read_task(request: Request, referral_id: FromPath[UUID]) -> Response[bytes]:
    """Read a FHIR Task.

    The referral's SDOHCC TaskForReferralManagement; ETag carries its version.
    """
    return fhir_response(await fhir_views.read_one(
        "Task", referral_id, current_user(request), remote_addr(request),
        absolute_url()))


@get("/Task", operation_id="searchFhirTasks", tags=TAGS,
     responses=RESPONSES, guards=[member])
async def search_tasks(
    request: Request, status: Statuses = None, owner: FromQuery[str | None] = None,
    requester: FromQuery[str | None] = None, count: Count = 50, offset: Offset = 0,
) -> Response[bytes]:
    """Search FHIR Tasks.

    Tasks you may see, by status (comma-separated FHIR codes) and owner organisation.
    """
    start, limit = _paging(count, offset)
    return fhir_response(await fhir_views.search(
        "Task", current_user(request), statuses=status or [], owner=owner,
        requester=requester, offset=start, limit=limit, base_url=absolute_url(),
        remote_addr=remote_addr(request)))


@put("/Task/{referral_id:uuid}", operation_id="updateFhirTask", tags=TAGS,
     responses=RESPONSES, guards=[member])
async def update_task(request: Request, referral_id: FromPath[UUID]) -> Response[bytes]:
    """Answer a referral by changing its Task's status (accepted, rejected with statusReason,
    in-progress, completed, failed, cancelled; businessStatus waitlisted for the waitlist).
    If-Match with the Task's version refuses a change based on an outdated read (412)."""
    try:
        update = msgspec.json.decode(await request.body(), type=fhir_updates.TaskIn)
    except msgspec.DecodeError as error:
        raise ValidationException(f"The body is not a readable FHIR Task: {error}") from None
    return fhir_response(await fhir_views.update_task(
        referral_id, update, current_user(request), request.headers.get("if-match"),
        remote_addr(request), absolute_url()))


@get("/ServiceRequest/{referral_id:uuid}", operation_id="readFhirServiceRequest", tags=TAGS,
     responses=RESPONSES, guards=[member])
async def read_service_request(request: Request, referral_id: FromPath[UUID]
                               ) -> Response[bytes]:
    """Read a FHIR ServiceRequest.

    The referral's SDOHCC ServiceRequest, with what you may see of it; the read is logged.
    """
    return fhir_response(await fhir_views.read_one(
        "ServiceRequest", referral_id, current_user(request), remote_addr(request),
        absolute_url()))


@get("/ServiceRequest", operation_id="searchFhirServiceRequests", tags=TAGS,
     responses=RESPONSES, guards=[member])
async def search_service_requests(
    request: Request, status: Statuses = None, performer: FromQuery[str | None] = None,
    requester: FromQuery[str | None] = None, count: Count = 50, offset: Offset = 0,
) -> Response[bytes]:
    """Search FHIR ServiceRequests.

    ServiceRequests you may see, by status and performer (the receiving organisation).
    """
    start, limit = _paging(count, offset)
    return fhir_response(await fhir_views.search(
        "ServiceRequest", current_user(request), statuses=status or [], owner=performer,
        requester=requester, offset=start, limit=limit, base_url=absolute_url(),
        remote_addr=remote_addr(request)))


@get("/metadata", operation_id="readFhirCapabilities", tags=TAGS,
     responses=RESPONSES, guards=[member])
async def capabilities() -> Response[bytes]:
    """FHIR capability statement.

    The CapabilityStatement: which resources, interactions and search parameters exist.
    """
    return fhir_response(fhir.capability_statement(absolute_url(), RELEASED))


ROUTER = Router(
    path="/fhir",
    route_handlers=[capabilities, read_task, search_tasks, update_task, read_service_request,
                    search_service_requests],
    exception_handlers={HTTPException: outcome},
)
ROUTES = [ROUTER]
