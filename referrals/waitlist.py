"""An offer's waitlist: order (urgency, then waiting time), positions, and freed-place offers.

A place freed by a closing referral is held for the head of the waitlist until a deadline;
if the provider does not accept that referral in time, the place passes to the next one, and
when nobody is left it returns to the free count. These functions run inside the caller's
transaction; they change no referral's state (only `referrals.transitions` does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from directory import api as directory
from outbox.publish import publish
from referrals.deadlines import place_offer_deadline
from referrals.states import State
from referrals.tables import PlaceOffer, Referral

URGENCY_RANK = {"urgent": 0, "high": 1, "normal": 2}
URGENCIES = tuple(URGENCY_RANK)
# Expected wait as the provider estimates it when waitlisting, shown to the sender.
WAIT_BANDS = ("unknown", "under_2_weeks", "2_to_6_weeks", "6_to_12_weeks", "over_12_weeks")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def queue_key(row: dict[str, Any]) -> tuple[int, datetime, str]:
    """Sort key of the waitlist: most urgent first, then who has waited longest."""
    since = row.get("waitlisted_at") or row.get("sent_at") or _EPOCH
    return (URGENCY_RANK.get(str(row.get("urgency")), 2), since, str(row["id"]))


async def queue(service_id: UUID) -> list[dict[str, Any]]:
    rows = await Referral.select(
        Referral.id,
        Referral.urgency,
        Referral.waitlisted_at,
        Referral.sent_at,
        Referral.holds_place,
        Referral.place_offered_until,
        Referral.expected_wait,
        Referral.sender_organization,
    ).where((Referral.service == service_id) & (Referral.state == State.WAITLISTED.value))
    return sorted(rows, key=queue_key)


@dataclass(frozen=True)
class Position:
    position: int
    length: int
    expected_wait: str
    place_offered_until: datetime | None


async def position_of(referral_id: UUID, service_id: UUID) -> Position | None:
    """1-based place of a waitlisted referral in its offer's queue; None if not waitlisted."""
    rows = await queue(service_id)
    for index, row in enumerate(rows, start=1):
        if row["id"] == referral_id:
            return Position(
                index, len(rows), row["expected_wait"] or "unknown", row["place_offered_until"]
            )
    return None


async def offer_freed_place(
    service_id: UUID, now: datetime, offer_round: UUID | None = None
) -> UUID | None:
    """Hold a freed place for the next waitlisted referral of this round; else free it.

    Returns the referral now holding the place, or None when it went back to the free count.
    """
    offer_round = offer_round or uuid4()
    tried = {
        row["referral"]
        for row in await PlaceOffer.select(PlaceOffer.referral).where(
            PlaceOffer.offer_round == offer_round
        )
    }
    until = place_offer_deadline(now)
    for candidate in await queue(service_id):
        if candidate["holds_place"] or candidate["id"] in tried:
            continue
        # Conditional: a concurrent transaction may have offered this referral a place already.
        claimed = (
            await Referral.update(
                {
                    Referral.holds_place: True,
                    Referral.place_offered_until: until,
                    Referral.updated_at: now,
                    Referral.version: Referral.version + 1,
                }
            )
            .where(
                (Referral.id == candidate["id"])
                & (Referral.state == State.WAITLISTED.value)
                & (Referral.holds_place == False)  # noqa: E712
            )
            .returning(Referral.id)
        )
        if not claimed:
            continue
        await PlaceOffer.insert(
            PlaceOffer(
                referral=candidate["id"],
                service=service_id,
                offer_round=offer_round,
                offered_at=now,
                offered_until=until,
            )
        )
        await publish(
            "referral.place_offered",
            {
                "referral_id": str(candidate["id"]),
                "service_id": str(service_id),
                "offered_until": until.isoformat(),
                "event_key": f"place_offered:{offer_round}:{candidate['id']}",
            },
        )
        return UUID(str(candidate["id"]))
    await directory.return_place(service_id)
    return None


async def close_offer(referral_id: UUID, outcome: str, now: datetime) -> UUID | None:
    """Close the open place offer of a referral; returns its round (to pass the place on)."""
    rows = (
        await PlaceOffer.update({PlaceOffer.outcome: outcome, PlaceOffer.closed_at: now})
        .where((PlaceOffer.referral == referral_id) & (PlaceOffer.outcome == "open"))
        .returning(PlaceOffer.offer_round)
    )
    return UUID(str(rows[0]["offer_round"])) if rows else None


async def lapse_offer(referral_id: UUID, service_id: UUID, now: datetime) -> UUID | None:
    """The holder did not take the place in time: pass it to the next one of the round."""
    released = (
        await Referral.update(
            {
                Referral.holds_place: False,
                Referral.place_offered_until: None,
                Referral.updated_at: now,
                Referral.version: Referral.version + 1,
            }
        )
        .where(
            (Referral.id == referral_id)
            & (Referral.state == State.WAITLISTED.value)
            & (Referral.holds_place == True)  # noqa: E712
        )
        .returning(Referral.id)
    )
    if not released:
        return None
    offer_round = await close_offer(referral_id, "lapsed", now)
    await publish(
        "referral.place_offer_lapsed",
        {
            "referral_id": str(referral_id),
            "service_id": str(service_id),
            "event_key": f"place_lapsed:{offer_round}:{referral_id}",
        },
    )
    return await offer_freed_place(service_id, now, offer_round)


async def due_offers(now: datetime) -> list[dict[str, Any]]:
    return await PlaceOffer.select(PlaceOffer.referral, PlaceOffer.service).where(
        (PlaceOffer.outcome == "open") & (PlaceOffer.offered_until < now)
    )
