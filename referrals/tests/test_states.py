"""The transition table itself: legal moves, sides, reason codes and the FHIR export."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from referrals.states import (
    OPEN,
    TERMINAL,
    Side,
    State,
    StateRuleError,
    allowed_targets,
    check_move,
    to_fhir_task,
)


def _refusal(source: State, target: State, side: Side, reason: str | None = None) -> str:
    with pytest.raises(StateRuleError) as caught:
        check_move(source, target, side, reason)
    return caught.value.code


def test_sender_sends_and_receiver_answers():
    assert check_move(State.DRAFT, State.SENT, Side.SENDER, None)[1] is Side.SENDER
    for target in (State.ACCEPTED, State.WAITLISTED):
        assert check_move(State.SENT, target, Side.RECEIVER, None)[1] is Side.RECEIVER


def test_receiver_cannot_send_and_sender_cannot_accept():
    assert _refusal(State.DRAFT, State.SENT, Side.RECEIVER) == "wrong_side"
    assert _refusal(State.SENT, State.ACCEPTED, Side.SENDER) == "wrong_side"
    assert _refusal(State.ACCEPTED, State.COMPLETED, Side.SENDER) == "wrong_side"


def test_only_sender_or_system_cancels():
    for state in OPEN:
        assert State.CANCELLED in allowed_targets(state, Side.SENDER)
        assert State.CANCELLED in allowed_targets(state, Side.SYSTEM)
        assert State.CANCELLED not in allowed_targets(state, Side.RECEIVER)


def test_decline_requires_reason():
    assert _refusal(State.SENT, State.DECLINED, Side.RECEIVER) == "reason_required"
    assert _refusal(State.SENT, State.DECLINED, Side.RECEIVER, "bored") == "unknown_reason"
    rule, _side = check_move(State.SENT, State.DECLINED, Side.RECEIVER, "no_capacity")
    assert rule.reason_required


def test_failure_requires_reason():
    assert _refusal(State.IN_PROGRESS, State.FAILED, Side.RECEIVER) == "reason_required"
    check_move(State.IN_PROGRESS, State.FAILED, Side.RECEIVER, "client_unreachable")


def test_acceptance_takes_no_reason_code():
    assert _refusal(State.SENT, State.ACCEPTED, Side.RECEIVER, "other") == "reason_not_allowed"


def test_system_reasons_are_reserved_to_the_system():
    assert _refusal(State.SENT, State.CANCELLED, Side.SENDER, "answer_expired") == (
        "unknown_reason"
    )
    check_move(State.SENT, State.CANCELLED, Side.SYSTEM, "answer_expired")


@pytest.mark.parametrize("terminal", sorted(TERMINAL))
def test_terminal_states_never_change(terminal):
    for target in State:
        for side in Side:
            assert _refusal(terminal, target, side, "other") == "terminal"


def test_skipping_a_step_is_illegal():
    assert _refusal(State.DRAFT, State.ACCEPTED, Side.RECEIVER) == "illegal"
    assert _refusal(State.WAITLISTED, State.IN_PROGRESS, Side.RECEIVER) == "illegal"
    assert _refusal(State.SENT, State.SENT, Side.SENDER) == "illegal"


def test_both_sides_pick_the_allowed_one():
    _rule, side = check_move(State.SENT, State.ACCEPTED, {Side.SENDER, Side.RECEIVER}, None)
    assert side is Side.RECEIVER


def _referral(state: str) -> dict:
    return {
        "id": uuid4(),
        "state": state,
        "client": uuid4(),
        "service": uuid4(),
        "sender_organization": uuid4(),
        "recipient_organization": uuid4(),
        "urgency": "urgent",
        "need_category": "language_course",
        "created_at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        "sent_at": datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
        "updated_at": datetime(2026, 3, 3, 10, 0, tzinfo=UTC),
        "answer_due": date(2026, 3, 9),
    }


def test_waitlisted_exports_as_accepted_task_with_business_status():
    task = to_fhir_task(_referral("waitlisted"))
    assert task["resourceType"] == "Task"
    assert task["status"] == "accepted"
    assert task["businessStatus"]["coding"][0]["code"] == "waitlisted"
    assert task["priority"] == "asap"


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("draft", "draft"),
        ("sent", "requested"),
        ("accepted", "accepted"),
        ("declined", "rejected"),
        ("in_progress", "in-progress"),
        ("completed", "completed"),
        ("failed", "failed"),
        ("cancelled", "cancelled"),
    ],
)
def test_every_state_maps_to_a_task_status(state, status):
    task = to_fhir_task(_referral(state))
    assert task["status"] == status
    assert "businessStatus" not in task


def test_task_carries_decline_reason_and_deadline():
    declined = to_fhir_task(_referral("declined"), last_reason="no_capacity")
    assert declined["statusReason"]["coding"][0]["code"] == "no_capacity"
    sent = to_fhir_task(_referral("sent"))
    assert sent["restriction"]["period"]["end"] == "2026-03-09"
