"""Reading and updating referrals as FHIR, with the JSON API's scoping and staged disclosure.

A reader sees a referral here exactly when `views.load_visible` lets them see it in the JSON
API; personal data goes into the Patient only through `clients.api` (which logs the read).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar.exceptions import ClientException, HTTPException, NotFoundException
from piccolo.custom_types import Combinable

from accounts import audit
from accounts.identity import CurrentUser
from accounts.roles import Role
from referrals import disclosure, fhir, fhir_updates, sealed, views
from referrals.disclosure import Level
from referrals.states import FHIR_TASK_STATUS, Side, State
from referrals.tables import Referral
from referrals.transitions import transition


class PreconditionFailed(HTTPException):
    """The Task changed since the version the caller names in If-Match."""

    status_code = 412


async def _consent_facts(row: dict[str, Any]) -> fhir.ConsentFacts | None:
    from clients.api import consents_of_client

    if row.get("consent") is None:
        return None
    for found in await consents_of_client(row["client"]):
        if found.id == row["consent"]:
            return fhir.ConsentFacts(
                id=str(found.id),
                active=found.active,
                recipient_ids=[str(r.id) for r in found.recipients],
                data_categories=list(found.data_categories),
                valid_from=found.valid_from.isoformat(),
                valid_until=found.valid_until.isoformat(),
                recorded_at=found.recorded_at.isoformat(),
                evidence=found.evidence,
                text_language=found.text_language,
                text_version=found.text_version,
            )
    return None


async def _level(row: dict[str, Any], sides: set[Side]) -> Level:
    if Side.SENDER in sides:
        return Level.OWNER
    return await disclosure.receiver_level(row)


async def _personal(row: dict[str, Any], actor: CurrentUser, remote_addr: str
                    ) -> dict[str, Any]:
    from clients.api import ClientErased, reveal_personal_data

    categories = disclosure.revealed_categories(row)
    if not categories:
        return {}
    try:
        return await reveal_personal_data(
            row["client"], categories, actor, remote_addr, purpose="referral"
        )
    except (NotFoundException, ClientErased):
        return {}


async def disclosed(
    row: dict[str, Any], sides: set[Side], actor: CurrentUser, remote_addr: str,
    *, with_personal: bool,
) -> fhir.Disclosed:
    level = await _level(row, sides)
    personal = (
        await _personal(row, actor, remote_addr) if with_personal and level is Level.FULL else {}
    )
    return fhir.Disclosed(
        level=level,
        personal=personal,
        consent=await _consent_facts(row),
        last_reason=await views.last_reason(row["id"]),
    )


async def _readable(row: dict[str, Any], level: Level) -> dict[str, Any]:
    """Free texts are stored sealed; they are opened only for a reader who may see them."""
    if level is Level.NONE:
        return row
    return await sealed.open_referral_texts(row)


async def _audit_read(row: dict[str, Any], sides: set[Side], level: Level, actor: CurrentUser,
                      remote_addr: str) -> None:
    side = Side.SENDER if Side.SENDER in sides else Side.RECEIVER
    await audit.record(
        "referral.read", "referral", row["id"], actor, row["sender_organization"],
        {"side": side.value, "disclosure": level.value, "client_id": row["client"],
         "format": "fhir"},
        remote_addr,
        actor_organization=(
            row["sender_organization"] if side is Side.SENDER else row["recipient_organization"]
        ),
    )


async def referral_bundle(referral_id: UUID, actor: CurrentUser, remote_addr: str,
                          base_url: str) -> dict[str, Any]:
    """The whole referral (ServiceRequest, Task, Consent, Patient); the read is logged."""
    row, sides = await views.load_visible(referral_id, actor)
    shown = await disclosed(row, sides, actor, remote_addr, with_personal=True)
    await _audit_read(row, sides, shown.level, actor, remote_addr)
    return fhir.bundle(await _readable(row, shown.level), shown, base_url)


async def read_one(kind: str, referral_id: UUID, actor: CurrentUser, remote_addr: str,
                   base_url: str) -> dict[str, Any]:
    """One Task or ServiceRequest (neither carries identity or contact data)."""
    row, sides = await views.load_visible(referral_id, actor)
    shown = await disclosed(row, sides, actor, remote_addr, with_personal=False)
    if kind == "ServiceRequest":
        await _audit_read(row, sides, shown.level, actor, remote_addr)
        return fhir.service_request(await _readable(row, shown.level), shown, base_url)
    return fhir.task(row, shown, base_url)


def _states_for(statuses: list[str], kind: str) -> list[str]:
    table: dict[State, str] = (
        FHIR_TASK_STATUS if kind == "Task" else fhir.SERVICE_REQUEST_STATUS
    )
    known = sorted(set(table.values()))
    wanted = {s.strip() for raw in statuses for s in raw.split(",") if s.strip()}
    unknown = wanted - set(known)
    if unknown:
        raise ClientException(
            f"Unknown {kind} status {', '.join(sorted(unknown))}; use: {', '.join(known)}."
        )
    return [state.value for state, status in table.items() if status in wanted]


def _organization(reference: str | None, name: str) -> UUID | None:
    if not reference:
        return None
    raw = reference.rsplit("/", 1)[-1]
    try:
        return UUID(raw)
    except ValueError:
        raise ClientException(
            f"{name} must be an organisation reference such as Organization/<id>."
        ) from None


async def search(
    kind: str, actor: CurrentUser, *, statuses: list[str], owner: str | None,
    requester: str | None, offset: int, limit: int, base_url: str, remote_addr: str = "",
) -> dict[str, Any]:
    """Tasks or ServiceRequests the actor may see, newest first, as a searchset Bundle."""
    # Parameters are checked first: a wrong one is a 400 for every caller, also for one who
    # sees no referrals at all.
    states = _states_for(statuses, kind) if statuses else None
    owner_id = _organization(owner, "owner" if kind == "Task" else "performer")
    requester_id = _organization(requester, "requester")
    sent_by = actor.org_ids_with(Role.CASE_MANAGER)
    sent_to = actor.org_ids_with(Role.PROVIDER_STAFF)
    if not sent_by and not sent_to:
        return fhir.searchset([], 0, base_url)
    # The JSON API's scope: own sent referrals, and those sent (not drafts) to own offers.
    scopes: list[Combinable] = []
    if sent_by:
        scopes.append(Referral.sender_organization.is_in(list(sent_by)))
    if sent_to:
        scopes.append(Referral.recipient_organization.is_in(list(sent_to))
                      & (Referral.state != State.DRAFT.value))
    where = scopes[0] if len(scopes) == 1 else scopes[0] | scopes[1]
    if states is not None:
        where &= Referral.state.is_in(states or ["-"])
    if owner_id:
        where &= Referral.recipient_organization == owner_id
    if requester_id:
        where &= Referral.sender_organization == requester_id
    total = await Referral.count().where(where)
    found = await (
        Referral.select(Referral.id).where(where)
        .order_by(Referral.created_at, ascending=False).offset(offset).limit(limit)
    )
    resources = [
        await read_one(kind, item["id"], actor, remote_addr, base_url) for item in found
    ]
    return fhir.searchset(resources, total, base_url)


def _version(if_match: str | None) -> int | None:
    """`W/"3"`, `"3"` or `3` -> 3; anything else is the caller's mistake."""
    if if_match is None:
        return None
    raw = if_match.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise ClientException('If-Match must name a Task version, for example W/"3".')
    return int(raw)


async def update_task(referral_id: UUID, update: fhir_updates.TaskIn, actor: CurrentUser,
                      if_match: str | None, remote_addr: str, base_url: str) -> dict[str, Any]:
    """Apply a Task update through the state machine; answer with the Task as it is now."""
    if update.id is not None and update.id != str(referral_id):
        raise ClientException("The Task's id does not match the address it was sent to.")
    expected = _version(if_match)
    row, _sides = await views.load_visible(referral_id, actor)
    if expected is not None and expected != row["version"]:
        raise PreconditionFailed(
            detail=f"The Task is at version {row['version']}, not {expected}; read it again "
            "and repeat the change if it still applies."
        )
    try:
        move = fhir_updates.task_move(update, State(row["state"]))
    except fhir_updates.TaskUpdateError as error:
        raise ClientException(str(error)) from None
    if move is not None:
        try:
            await transition(
                referral_id, move.target.value, actor, reason=move.reason, note=move.note,
                expected_version=row["version"],
            )
        except HTTPException as error:
            if (error.extra or {}).get("code") == "changed_meanwhile":  # type: ignore[union-attr]
                raise PreconditionFailed(detail=error.detail) from None
            raise
    return await read_one("Task", referral_id, actor, remote_addr, base_url)
