"""A FHIR Task update sent by another system, read as a move of the referral state machine.

Pure: the parts of the Task Lotse applies (status, statusReason, businessStatus, note) become a
target state, a reason code and a note; `referrals.transitions` then applies them like any move.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from referrals.states import (
    ANSWER_REASONS,
    FHIR_TASK_STATUS,
    LOTSE_REASON_SYSTEM,
    SENDER_CANCEL_REASONS,
    State,
)


class CodingIn(msgspec.Struct, kw_only=True):
    system: str | None = None
    code: str | None = None


class ConceptIn(msgspec.Struct, kw_only=True):
    coding: list[CodingIn] = msgspec.field(default_factory=list)
    text: str | None = None


class NoteIn(msgspec.Struct, kw_only=True):
    text: str = ""


class TaskIn(msgspec.Struct, kw_only=True, rename={"resource_type": "resourceType",
                                                  "status_reason": "statusReason",
                                                  "business_status": "businessStatus"}):
    """The parts of a Task Lotse applies; the rest of the resource is Lotse's own projection."""

    resource_type: str
    id: str | None = None
    status: str
    status_reason: ConceptIn | None = None
    business_status: ConceptIn | None = None
    note: list[NoteIn] = msgspec.field(default_factory=list)


class TaskUpdateError(ValueError):
    """A Task update that cannot be applied; the message says how to fix it."""


@dataclass(frozen=True)
class Move:
    target: State
    reason: str | None
    note: str


_REASONED = {"rejected": State.DECLINED, "failed": State.FAILED}
_PLAIN = {"requested": State.SENT, "in-progress": State.IN_PROGRESS,
          "completed": State.COMPLETED, "cancelled": State.CANCELLED}


def _reason(concept: ConceptIn | None, allowed: tuple[str, ...]) -> tuple[str | None, str]:
    """A Lotse reason code from statusReason and the free text beside it."""
    if concept is None:
        return None, ""
    text = (concept.text or "").strip()
    for coding in concept.coding:
        if coding.system == LOTSE_REASON_SYSTEM and coding.code:
            return coding.code, text if text != coding.code else ""
    if text in allowed:
        return text, ""
    # A reason in words from a system without Lotse's codes is kept as the note.
    return ("other", text) if text else (None, "")


def _is_waitlist(concept: ConceptIn | None) -> bool:
    if concept is None:
        return False
    return any(c.code == "waitlisted" for c in concept.coding) or concept.text == "waitlisted"


def current_fhir_status(state: State) -> tuple[str, bool]:
    return FHIR_TASK_STATUS[state], state is State.WAITLISTED


def task_move(update: TaskIn, current: State) -> Move | None:
    """The move a Task update asks for, or None when it repeats the current status."""
    if update.resource_type != "Task":
        raise TaskUpdateError("The body must be a FHIR Task resource.")
    waitlist = _is_waitlist(update.business_status)
    status, was_waitlisted = current_fhir_status(current)
    if update.status == status and waitlist == was_waitlisted:
        return None
    if update.status == "received" and current is State.SENT:
        return None
    note = " ".join(n.text.strip() for n in update.note if n.text.strip())[:2000]
    if update.status == "accepted":
        return Move(State.WAITLISTED if waitlist else State.ACCEPTED, None, note)
    if update.status in _REASONED:
        reason, said = _reason(update.status_reason, tuple(r.value for r in ANSWER_REASONS))
        if reason is None:
            raise TaskUpdateError(
                f"A Task with status {update.status} needs a statusReason: a coding of "
                f"{LOTSE_REASON_SYSTEM} ({', '.join(r.value for r in ANSWER_REASONS)}) "
                "or the reason in words."
            )
        return Move(_REASONED[update.status], reason, " ".join(p for p in (said, note) if p))
    if update.status in _PLAIN:
        allowed = tuple(r.value for r in SENDER_CANCEL_REASONS)
        reason, said = _reason(update.status_reason, allowed)
        if update.status != "cancelled":
            reason, said = None, ""
        return Move(_PLAIN[update.status], reason, " ".join(p for p in (said, note) if p))
    raise TaskUpdateError(
        f"Lotse cannot set a Task to status {update.status!r}; use accepted (with "
        "businessStatus waitlisted for the waitlist), rejected, in-progress, completed, "
        "failed or cancelled."
    )
