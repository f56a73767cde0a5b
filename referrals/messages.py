"""The message thread of a referral between the sending organisation and the provider."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

import msgspec
from litestar.exceptions import PermissionDeniedException, ValidationException

from accounts import audit
from accounts.identity import CurrentUser
from core.db import atomic
from outbox.publish import publish
from referrals import disclosure, sealed
from referrals.disclosure import Level
from referrals.states import Side, State
from referrals.tables import ReferralMessage
from referrals.transitions import TransitionConflict
from referrals.views import load_visible


class MessageIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class MessageOut(msgspec.Struct):
    id: UUID
    side: str
    own: bool
    body: str
    created_at: datetime


async def _side_for_thread(row: dict[str, Any], sides: set[Side]) -> Side:
    if Side.SENDER in sides:
        return Side.SENDER
    # Without an active consent the provider loses the thread with everything else personal.
    if await disclosure.receiver_level(row) is Level.NONE:
        raise PermissionDeniedException(
            "No active consent covers this referral any more; its messages are not available.",
            extra={"code": "consent_missing"},
        )
    return Side.RECEIVER


def _side_of_message(row: dict[str, Any], message: dict[str, Any]) -> Side:
    if message["author_organization"] == row["sender_organization"] and (
        message["author_organization"] != row["recipient_organization"]
    ):
        return Side.SENDER
    if message["author_organization"] == row["recipient_organization"] and (
        message["author_organization"] != row["sender_organization"]
    ):
        return Side.RECEIVER
    # Both sides in one organisation: the sending case manager wrote it if it was them.
    return Side.SENDER if message["author_user"] == row["sender_user"] else Side.RECEIVER


async def list_messages(
    referral_id: UUID, actor: CurrentUser, remote_addr: str
) -> list[MessageOut]:
    row, sides = await load_visible(referral_id, actor)
    side = await _side_for_thread(row, sides)
    messages = (
        await ReferralMessage.select()
        .where(ReferralMessage.referral == referral_id)
        .order_by(ReferralMessage.created_at)
    )
    messages = await sealed.open_column(
        messages, "body", sealed.MESSAGE_BODY, {referral_id: row["client"]}
    )
    if messages:
        await audit.record(
            "referral.messages.read",
            "referral",
            referral_id,
            actor,
            row["sender_organization"],
            {"side": side.value, "count": len(messages)},
            remote_addr,
            actor_organization=(
                row["sender_organization"]
                if side is Side.SENDER
                else row["recipient_organization"]
            ),
        )
    return [
        MessageOut(
            id=m["id"],
            side=_side_of_message(row, m).value,
            own=m["author_user"] == actor.id,
            body=m["body"],
            created_at=m["created_at"],
        )
        for m in messages
    ]


async def post_message(referral_id: UUID, data: MessageIn, actor: CurrentUser) -> MessageOut:
    row, sides = await load_visible(referral_id, actor)
    side = await _side_for_thread(row, sides)
    body = data.body.strip()
    if not body:
        raise ValidationException(
            "The message is empty; write something first.", extra={"code": "empty_message"}
        )
    if row["state"] == State.DRAFT.value:
        raise TransitionConflict(
            detail="Send the referral first; the provider cannot read messages on a draft.",
            extra={"code": "not_sent"},
        )
    organization = (
        row["sender_organization"] if side is Side.SENDER else row["recipient_organization"]
    )
    now = datetime.now(UTC)
    message_id = uuid4()
    async with atomic():
        await ReferralMessage.insert(
            ReferralMessage(
                id=message_id,
                referral=referral_id,
                author_user=actor.id,
                author_organization=organization,
                body=await sealed.seal_message(row["client"], body),
                created_at=now,
            )
        )
        await publish(
            "referral.message",
            {
                "event_key": f"message:{message_id}",
                "message_id": str(message_id),
                "referral_id": str(referral_id),
                "service_id": str(row["service"]),
                "sender_organization": str(row["sender_organization"]),
                "recipient_organization": str(row["recipient_organization"]),
                "sender_user": str(row["sender_user"]),
                "author_user": str(actor.id),
                "side": side.value,
                "at": now.isoformat(),
            },
        )
    return MessageOut(id=message_id, side=side.value, own=True, body=body, created_at=now)
