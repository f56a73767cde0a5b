"""Reading Task updates as state machine moves (pure, no database)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from referrals.fhir_updates import Move, TaskIn, TaskUpdateError, task_move
from referrals.states import LOTSE_REASON_SYSTEM, State


def _task(**fields: Any) -> TaskIn:
    return msgspec.convert({"resourceType": "Task", **fields}, TaskIn)


def test_repeating_the_current_status_is_no_move():
    assert task_move(_task(status="requested"), State.SENT) is None
    assert task_move(_task(status="received"), State.SENT) is None
    waitlisted = _task(status="accepted", businessStatus={"coding": [{"code": "waitlisted"}]})
    assert task_move(waitlisted, State.WAITLISTED) is None


def test_accepted_with_waitlisted_business_status_waitlists():
    update = _task(status="accepted", businessStatus={"text": "waitlisted"})
    assert task_move(update, State.SENT) == Move(State.WAITLISTED, None, "")


def test_rejected_needs_a_status_reason():
    with pytest.raises(TaskUpdateError, match="statusReason"):
        task_move(_task(status="rejected"), State.SENT)
    with pytest.raises(TaskUpdateError, match="statusReason"):
        task_move(_task(status="failed", statusReason={"text": "  "}), State.ACCEPTED)


def test_coded_reason_is_taken_and_words_become_the_note():
    coded = _task(status="rejected", statusReason={
        "coding": [{"system": LOTSE_REASON_SYSTEM, "code": "out_of_area"}],
        "text": "Wohnt in Essen"}, note=[{"text": "Bitte VHS Essen fragen"}])
    assert task_move(coded, State.SENT) == Move(
        State.DECLINED, "out_of_area", "Wohnt in Essen Bitte VHS Essen fragen")
    plain_code = _task(status="failed", statusReason={"text": "client_unreachable"})
    assert task_move(plain_code, State.ACCEPTED) == Move(State.FAILED, "client_unreachable", "")


def test_statuses_lotse_does_not_have_are_refused_with_the_choices():
    with pytest.raises(TaskUpdateError, match="accepted"):
        task_move(_task(status="on-hold"), State.SENT)
    with pytest.raises(TaskUpdateError, match="Task"):
        task_move(msgspec.convert({"resourceType": "Patient", "status": "accepted"}, TaskIn),
                  State.SENT)
