"""JSON API of referrals: drafts, lists, detail, transitions (the one way to move one), messages."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, Response, get, patch, post
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.guards import case_manager, current_user, member
from core.urls import absolute_url
from core.web import Page, page_params
from referrals import answers, drafts, fhir, fhir_views, messages, views
from referrals.states import State
from referrals.transitions import transition
from referrals.waitlist import URGENCIES

TAGS = ["referrals"]


class AppointmentIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    slot_id: UUID | None = None
    text: Annotated[str, msgspec.Meta(max_length=255)] = ""


class TransitionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    to: str
    reason: Annotated[str, msgspec.Meta(max_length=30)] | None = None
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    # A booked slot ({"slot_id": ...}), or a description of the appointment in words.
    appointment: AppointmentIn | Annotated[str, msgspec.Meta(max_length=255)] | None = None
    # Expected wait when putting on the waitlist: unknown, under_2_weeks, 2_to_6_weeks, ...
    expected_wait: str = ""
    # The version the person saw; a newer one means someone else changed it meanwhile.
    version: int | None = None


def remote_addr(request: Request) -> str:
    return request.client.host if request.client else ""


def check_states(states: list[str] | None) -> list[str]:
    known = {s.value for s in State}
    wanted = [s for s in states or [] if s]
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise ValidationException(
            f"Unknown state {', '.join(unknown)}; use: {', '.join(sorted(known))}."
        )
    return wanted


def check_urgency(urgency: str | None) -> str | None:
    if urgency and urgency not in URGENCIES:
        raise ValidationException(f"Unknown urgency {urgency!r}; use: {', '.join(URGENCIES)}.")
    return urgency or None


async def move(
    referral_id: UUID, data: TransitionIn, request: Request
) -> answers.TransitionOut:
    """Apply a transition for the current user; answer with the new state and the next moves."""
    user = current_user(request)
    slot_id: UUID | None = None
    text = ""
    if isinstance(data.appointment, AppointmentIn):
        slot_id, text = data.appointment.slot_id, data.appointment.text.strip()
    elif isinstance(data.appointment, str):
        text = data.appointment.strip()
    if (slot_id or text) and data.to != State.ACCEPTED.value:
        raise ValidationException("An appointment can only be given when accepting.")
    if data.expected_wait and data.to != State.WAITLISTED.value:
        raise ValidationException("An expected wait can only be given when waitlisting.")
    moved = await transition(
        referral_id,
        data.to,
        user,
        reason=data.reason,
        note=data.note.strip(),
        appointment_slot_id=slot_id,
        appointment_text=text,
        expected_wait=data.expected_wait,
        expected_version=data.version,
    )
    return await answers.after_move(moved)


@post("/api/referrals", operation_id="createReferral", tags=TAGS, guards=[case_manager],
      status_code=HTTP_201_CREATED)
async def create_referral(
    request: Request, data: JSONBody[drafts.ReferralInput]
) -> views.ReferralOut:
    """Create a referral.

    Create a referral as a draft; send it with a transition to `sent`.
    """
    return await answers.create(data, current_user(request), remote_addr(request))


@get("/api/referrals", operation_id="listReferrals", tags=TAGS, guards=[case_manager])
async def list_referrals(
    request: Request,
    states: Annotated[list[str] | None, QueryParameter(name="state")] = None,
    client_id: FromQuery[UUID | None] = None,
    service_id: FromQuery[UUID | None] = None,
    urgency: FromQuery[str | None] = None,
    page: FromQuery[int] = 1,
    per_page: FromQuery[int] = 50,
) -> Page[views.ReferralSummary]:
    """List sent referrals.

    The referrals sent by your organisation, newest first.
    """
    offset, limit = page_params(page, per_page)
    items, total = await views.list_sent(
        current_user(request),
        states=check_states(states),
        client_id=client_id,
        service_id=service_id,
        urgency=check_urgency(urgency),
        offset=offset,
        limit=limit,
    )
    return Page(items=items, total=total, page=page, per_page=per_page)


@get("/api/referrals/{referral_id:uuid}", operation_id="getReferral", tags=TAGS,
     guards=[member])
async def get_referral(request: Request, referral_id: FromPath[UUID]) -> views.ReferralOut:
    """Read one referral.

    One referral, with what you may see of it; the read is logged.
    """
    return await views.detail(referral_id, current_user(request), remote_addr(request))


@patch("/api/referrals/{referral_id:uuid}", operation_id="updateReferralDraft", tags=TAGS,
       guards=[case_manager])
async def update_referral(
    request: Request,
    referral_id: FromPath[UUID],
    data: JSONBody[drafts.ReferralChanges],
    version: FromQuery[int | None] = None,
) -> views.ReferralOut:
    """Change a draft referral.

    Change a draft's content (only fields sent); a sent referral cannot be edited.
    """
    user = current_user(request)
    await drafts.update_draft(referral_id, data, user, version)
    return await views.detail(referral_id, user, remote_addr(request))


@post("/api/referrals/{referral_id:uuid}/transitions", operation_id="transitionReferral",
      tags=TAGS, guards=[member], status_code=HTTP_200_OK)
async def post_transition(
    request: Request, referral_id: FromPath[UUID], data: JSONBody[TransitionIn]
) -> answers.TransitionOut:
    """Move the referral to another state: the only way its state changes.

    The answer is lean (state, version, the moves allowed next); the full referral is
    `GET /api/referrals/{referral_id}`."""
    return await move(referral_id, data, request)


@get("/api/referrals/{referral_id:uuid}/messages", operation_id="listReferralMessages",
     tags=TAGS, guards=[member])
async def list_referral_messages(
    request: Request, referral_id: FromPath[UUID]
) -> list[messages.MessageOut]:
    """List a referral's messages.

    The messages between sender and provider on this referral, oldest first; only for the two
    organisations involved.
    """
    return await messages.list_messages(referral_id, current_user(request), remote_addr(request))


@post("/api/referrals/{referral_id:uuid}/messages", operation_id="postReferralMessage",
      tags=TAGS, guards=[member], status_code=HTTP_201_CREATED)
async def post_referral_message(
    request: Request, referral_id: FromPath[UUID], data: JSONBody[messages.MessageIn]
) -> messages.MessageOut:
    """Write on a referral.

    A message to the other side of the referral; they are notified.
    """
    return await messages.post_message(referral_id, data, current_user(request))


@get("/api/referrals/{referral_id:uuid}/fhir", operation_id="getReferralFhirBundle", tags=TAGS,
     guards=[member],
     responses={200: ResponseSpec(data_container=dict[str, Any], generate_examples=False,
                                  description="A FHIR R4 Bundle (collection).")})
async def get_fhir_bundle(request: Request, referral_id: FromPath[UUID]) -> Response[bytes]:
    """The referral as a FHIR R4 Bundle (SDOHCC ServiceRequest, Task, Consent, Patient) with
    what you may see of it; `application/fhir+json` when the Accept header asks for it."""
    body = await fhir_views.referral_bundle(
        referral_id, current_user(request), remote_addr(request), absolute_url()
    )
    wanted = fhir.FHIR_JSON in request.headers.get("accept", "")
    return Response(msgspec.json.encode(body),
                    media_type=fhir.FHIR_JSON if wanted else "application/json")


class Vocabulary(msgspec.Struct):
    states: list[str]
    need_categories: list[str]
    urgencies: list[str]
    age_bands: list[str]
    data_categories: list[str]
    answer_reasons: list[str]
    cancel_reasons: list[str]
    wait_bands: list[str]


@get("/api/referrals/vocabulary", operation_id="getReferralVocabulary", tags=TAGS,
     guards=[member])
async def vocabulary() -> Vocabulary:
    """Referral codes.

    The codes the referral endpoints accept.
    """
    from clients.api import CATEGORIES
    from referrals.states import ANSWER_REASONS, SENDER_CANCEL_REASONS
    from referrals.waitlist import WAIT_BANDS

    return Vocabulary(
        states=[s.value for s in State],
        need_categories=list(drafts.NEED_CATEGORIES),
        urgencies=list(URGENCIES),
        age_bands=list(drafts.AGE_BANDS),
        data_categories=list(CATEGORIES),
        answer_reasons=[r.value for r in ANSWER_REASONS],
        cancel_reasons=[r.value for r in SENDER_CANCEL_REASONS],
        wait_bands=list(WAIT_BANDS),
    )


ROUTES = [
    create_referral,
    list_referrals,
    get_referral,
    update_referral,
    post_transition,
    list_referral_messages,
    post_referral_message,
    get_fhir_bundle,
    vocabulary,
]
