"""The referral state machine as data: states, allowed moves, who may make them, FHIR mapping.

Pure: no database, no framework. `referrals.transitions` is the one place that applies it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class State(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Side(StrEnum):
    """Which party makes a move; `system` is deadline expiry, consent withdrawal and erasure."""

    SENDER = "sender"
    RECEIVER = "receiver"
    SYSTEM = "system"


class Reason(StrEnum):
    NO_CAPACITY = "no_capacity"
    NOT_ELIGIBLE = "not_eligible"
    OUT_OF_AREA = "out_of_area"
    CLIENT_UNREACHABLE = "client_unreachable"
    CLIENT_DECLINED = "client_declined"
    OTHER = "other"
    # Cancellations the sender or the system records.
    CONSENT_WITHDRAWN = "consent_withdrawn"
    ANSWER_EXPIRED = "answer_expired"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    CLIENT_ERASED = "client_erased"


TERMINAL: frozenset[State] = frozenset(
    {State.DECLINED, State.COMPLETED, State.FAILED, State.CANCELLED}
)
OPEN: frozenset[State] = frozenset(State) - TERMINAL
# States in which a referral holds one of the offer's places.
PLACE_HOLDING: frozenset[State] = frozenset({State.ACCEPTED, State.IN_PROGRESS})

# Reasons a person may give for a decline or a failure (DESIGN: "coded reason").
ANSWER_REASONS: tuple[Reason, ...] = (
    Reason.NO_CAPACITY,
    Reason.NOT_ELIGIBLE,
    Reason.OUT_OF_AREA,
    Reason.CLIENT_UNREACHABLE,
    Reason.CLIENT_DECLINED,
    Reason.OTHER,
)
SENDER_CANCEL_REASONS: tuple[Reason, ...] = (
    Reason.CLIENT_DECLINED,
    Reason.REFERRED_ELSEWHERE,
    Reason.CLIENT_UNREACHABLE,
    Reason.CLIENT_ERASED,
    Reason.OTHER,
)
# Only the system records these: they state facts the system itself established.
SYSTEM_CANCEL_REASONS: tuple[Reason, ...] = (
    Reason.CONSENT_WITHDRAWN,
    Reason.ANSWER_EXPIRED,
)


@dataclass(frozen=True)
class Rule:
    """One allowed move: who may make it and which reason codes it takes (empty: none needed)."""

    source: State
    target: State
    sides: frozenset[Side]
    reasons: tuple[Reason, ...] = ()
    reason_required: bool = False


def _rule(
    source: State,
    target: State,
    *sides: Side,
    reasons: tuple[Reason, ...] = (),
    required: bool = False,
) -> Rule:
    return Rule(source, target, frozenset(sides), reasons, required)


_CANCEL_REASONS = SENDER_CANCEL_REASONS + SYSTEM_CANCEL_REASONS

RULES: tuple[Rule, ...] = (
    _rule(State.DRAFT, State.SENT, Side.SENDER),
    _rule(State.SENT, State.ACCEPTED, Side.RECEIVER),
    _rule(State.SENT, State.WAITLISTED, Side.RECEIVER),
    _rule(State.SENT, State.DECLINED, Side.RECEIVER, reasons=ANSWER_REASONS, required=True),
    _rule(State.WAITLISTED, State.ACCEPTED, Side.RECEIVER),
    _rule(State.WAITLISTED, State.DECLINED, Side.RECEIVER, reasons=ANSWER_REASONS, required=True),
    _rule(State.ACCEPTED, State.IN_PROGRESS, Side.RECEIVER),
    _rule(State.ACCEPTED, State.COMPLETED, Side.RECEIVER),
    _rule(State.ACCEPTED, State.FAILED, Side.RECEIVER, reasons=ANSWER_REASONS, required=True),
    _rule(State.IN_PROGRESS, State.COMPLETED, Side.RECEIVER),
    _rule(State.IN_PROGRESS, State.FAILED, Side.RECEIVER, reasons=ANSWER_REASONS, required=True),
    # Every open state can be cancelled by the sender, or by the system (consent withdrawn,
    # answer deadline expired, client erased).
    *(
        _rule(state, State.CANCELLED, Side.SENDER, Side.SYSTEM, reasons=_CANCEL_REASONS)
        for state in (
            State.DRAFT,
            State.SENT,
            State.ACCEPTED,
            State.WAITLISTED,
            State.IN_PROGRESS,
        )
    ),
)

_BY_PAIR: dict[tuple[State, State], Rule] = {(r.source, r.target): r for r in RULES}


class StateRuleError(ValueError):
    """A move the rules forbid; `code` tells the caller which rule (for status codes and tests)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_state(value: str) -> State:
    try:
        return State(value)
    except ValueError:
        known = ", ".join(s.value for s in State)
        raise StateRuleError(
            "unknown_state", f"Unknown state {value!r}; use one of: {known}."
        ) from None


def rule_for(source: State, target: State) -> Rule | None:
    return _BY_PAIR.get((source, target))


def allowed_targets(source: State, side: Side | None = None) -> list[State]:
    """The states reachable from `source`, optionally only those `side` may choose."""
    return [r.target for r in RULES if r.source == source and (side is None or side in r.sides)]


def check_move(
    source: State, target: State, sides: Side | Iterable[Side], reason: str | None
) -> tuple[Rule, Side]:
    """Return the rule allowing this move and the side making it, or raise StateRuleError.

    `sides` are the sides the actor may act for (both, when a case manager refers to an offer
    of their own organisation). Order of checks: legality, then the side, then the reason code.
    """
    actor_sides = {sides} if isinstance(sides, Side) else set(sides)
    rule = rule_for(source, target)
    if rule is None:
        if source in TERMINAL:
            raise StateRuleError(
                "terminal",
                f"The referral is {source.value} and can no longer change.",
            )
        options = ", ".join(t.value for t in allowed_targets(source)) or "none"
        raise StateRuleError(
            "illegal",
            f"A referral cannot go from {source.value} to {target.value}; "
            f"possible next states: {options}.",
        )
    usable = sorted(rule.sides & actor_sides)
    if not usable:
        who = " or ".join(
            "the sending organisation" if s is Side.SENDER else "the receiving provider"
            for s in sorted(rule.sides - {Side.SYSTEM})
        )
        raise StateRuleError(
            "wrong_side",
            f"Only {who or 'the system'} may move a referral from {source.value} "
            f"to {target.value}.",
        )
    side = usable[0]
    if reason:
        allowed = {r.value for r in rule.reasons}
        if side is not Side.SYSTEM:
            allowed -= {r.value for r in SYSTEM_CANCEL_REASONS}
        if reason not in allowed:
            if not allowed:
                raise StateRuleError(
                    "reason_not_allowed",
                    f"A move to {target.value} takes no reason code; leave it empty.",
                )
            raise StateRuleError(
                "unknown_reason",
                f"Unknown reason {reason!r} for {target.value}; "
                f"use one of: {', '.join(sorted(allowed))}.",
            )
    elif rule.reason_required:
        raise StateRuleError(
            "reason_required",
            f"A move to {target.value} needs a reason code: "
            f"{', '.join(r.value for r in rule.reasons)}.",
        )
    return rule, side


def is_open(state: str) -> bool:
    return state in {s.value for s in OPEN}


def holds_place_after(target: State) -> bool | None:
    """Whether the referral holds a place after moving to `target` (None: unchanged)."""
    if target in PLACE_HOLDING:
        return True
    if target in TERMINAL:
        return False
    return None


# --- FHIR (SDOH Clinical Care Task) -------------------------------------------------------

FHIR_TASK_STATUS: dict[State, str] = {
    State.DRAFT: "draft",
    State.SENT: "requested",
    State.ACCEPTED: "accepted",
    State.WAITLISTED: "accepted",
    State.DECLINED: "rejected",
    State.IN_PROGRESS: "in-progress",
    State.COMPLETED: "completed",
    State.FAILED: "failed",
    State.CANCELLED: "cancelled",
}
# A Task status alone cannot tell accepted from waitlisted; businessStatus carries the difference.
FHIR_BUSINESS_STATUS: dict[State, str] = {State.WAITLISTED: "waitlisted"}

LOTSE_REASON_SYSTEM = "urn:lotse:referral-reason"
LOTSE_BUSINESS_STATUS_SYSTEM = "urn:lotse:referral-business-status"
LOTSE_NEED_SYSTEM = "urn:lotse:need-category"


def _iso(value: object) -> str | None:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return None if value is None else str(value)


def to_fhir_task(
    referral: Mapping[str, Any],
    *,
    last_reason: str = "",
    base_url: str = "",
) -> dict[str, Any]:
    """Export a referral (a row as a mapping) as a FHIR R4 Task, without personal data.

    The client is referenced by its pseudonymous id only; identity stays in Lotse.
    """
    state = parse_state(str(referral["state"]))
    prefix = base_url.rstrip("/")
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": str(referral["id"]),
        "identifier": [
            {"system": f"{prefix}/api/referrals", "value": str(referral["id"])},
        ],
        "status": FHIR_TASK_STATUS[state],
        "intent": "order",
        "priority": {"normal": "routine", "high": "urgent", "urgent": "asap"}.get(
            str(referral.get("urgency", "normal")), "routine"
        ),
        "code": {
            "coding": [{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}]
        },
        "for": {"reference": f"Patient/{referral['client']}"},
        "requester": {"reference": f"Organization/{referral['sender_organization']}"},
        "owner": {"reference": f"Organization/{referral['recipient_organization']}"},
        "focus": {"reference": f"HealthcareService/{referral['service']}"},
    }
    business = FHIR_BUSINESS_STATUS.get(state)
    if business:
        task["businessStatus"] = {
            "coding": [{"system": LOTSE_BUSINESS_STATUS_SYSTEM, "code": business}],
            "text": business,
        }
    if last_reason and state in {State.DECLINED, State.FAILED, State.CANCELLED}:
        task["statusReason"] = {
            "coding": [{"system": LOTSE_REASON_SYSTEM, "code": last_reason}],
            "text": last_reason,
        }
    if referral.get("need_category"):
        task["reasonCode"] = {
            "coding": [{"system": LOTSE_NEED_SYSTEM, "code": str(referral["need_category"])}]
        }
    authored = _iso(referral.get("sent_at")) or _iso(referral.get("created_at"))
    if authored:
        task["authoredOn"] = authored
    modified = _iso(referral.get("updated_at"))
    if modified:
        task["lastModified"] = modified
    due = _iso(referral.get("answer_due"))
    if due and state is State.SENT:
        task["restriction"] = {"period": {"end": due}}
    return task
