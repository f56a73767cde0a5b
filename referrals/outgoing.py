"""Who is told what about an outbox event: the plan shared by the in-app, e-mail and webhook paths.

Recipients are people of the two organisations of a referral: the sending case manager, and
the provider's staff. Parameters are non-personal (offer name, states, reasons, dates).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from accounts.contacts import Contact, contact_of, members_with_role
from accounts.roles import Role
from directory import api as directory
from referrals import sealed, waitlist
from referrals.tables import Referral

# Outbox topics the referral exchange publishes (and its consumers read).
TRANSITION = "referral.transition"
PLACE_OFFERED = "referral.place_offered"
PLACE_OFFER_LAPSED = "referral.place_offer_lapsed"
DEADLINE_REMINDER = "referral.deadline_reminder"
MESSAGE = "referral.message"
CONSENT_WITHDRAWN = "referrals.consent_withdrawn"
TOPICS = [TRANSITION, PLACE_OFFERED, PLACE_OFFER_LAPSED, DEADLINE_REMINDER, MESSAGE,
          CONSENT_WITHDRAWN]


@dataclass
class Audience:
    """One kind of notification for a set of people."""

    kind: str
    people: list[Contact]
    # Which page of the referral they should open: "sender" (/referrals) or "receiver" (/inbox).
    side: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    event_key: str
    referral: dict[str, Any] | None
    audiences: list[Audience]
    # Webhook event type and the organisations whose endpoints receive it.
    webhook_type: str
    webhook_orgs: set[UUID]
    webhook_data: dict[str, Any]


class _Batch:
    """What the plans of one consumer batch read: every referral and offer name in one query
    each, and each organisation's staff and each sender once."""

    def __init__(self, referrals: dict[UUID, dict[str, Any]], offers: dict[UUID, str]) -> None:
        self.referrals = referrals
        self.offers = offers
        self._staff: dict[UUID, list[Contact]] = {}
        self._senders: dict[UUID, list[Contact]] = {}

    @classmethod
    async def read(cls, referral_ids: Iterable[UUID]) -> _Batch:
        wanted = list(dict.fromkeys(referral_ids))
        rows = await Referral.select().where(Referral.id.is_in(wanted)) if wanted else []
        # The appointment text goes into notifications and e-mails; sealed again where stored.
        rows = await sealed.open_referral_rows(rows)
        offers = await directory.offers_for_referrals(row["service"] for row in rows)
        return cls({row["id"]: row for row in rows},
                   {sid: offer.name for sid, offer in offers.items()})

    def offer_name(self, row: dict[str, Any]) -> str:
        return self.offers.get(row["service"], "")

    async def sender(self, row: dict[str, Any]) -> list[Contact]:
        user_id = row["sender_user"]
        if user_id not in self._senders:
            contact = await contact_of(user_id)
            self._senders[user_id] = [contact] if contact else []
        return self._senders[user_id]

    async def staff(self, row: dict[str, Any]) -> list[Contact]:
        org = row["recipient_organization"]
        if org not in self._staff:
            self._staff[org] = await members_with_role(org, Role.PROVIDER_STAFF)
        return self._staff[org]


def _data(row: dict[str, Any]) -> dict[str, Any]:
    """The non-personal description of a referral sent to provider systems."""
    return {
        "referral_id": str(row["id"]),
        "state": row["state"],
        "service_id": str(row["service"]),
        "sender_organization_id": str(row["sender_organization"]),
        "recipient_organization_id": str(row["recipient_organization"]),
        "urgency": row["urgency"],
        "need_category": row["need_category"],
        "answer_due": row["answer_due"].isoformat() if row["answer_due"] else None,
        "version": row["version"],
    }


async def _transition(
    payload: dict[str, Any], row: dict[str, Any], batch: _Batch
) -> list[Audience]:
    base = {"service": batch.offer_name(row), "reason": payload.get("reason", "")}
    target, side = payload["to"], payload.get("side")
    if target == "sent":
        due = row["answer_due"].isoformat() if row["answer_due"] else ""
        return [
            Audience("referral_received", await batch.staff(row), "receiver",
                     {**base, "urgency": row["urgency"], "due": due})
        ]
    if target == "waitlisted":
        found = await waitlist.position_of(row["id"], row["service"])
        extra = {
            "position": found.position if found else "?",
            "length": found.length if found else "?",
            "wait": row["expected_wait"] or "unknown",
        }
        return [Audience("referral_waitlisted", await batch.sender(row), "sender",
                         {**base, **extra})]
    if target == "accepted":
        return [
            Audience("referral_accepted", await batch.sender(row), "sender",
                     {**base, "appointment": row["appointment_text"]})
        ]
    if target in {"declined", "in_progress", "completed", "failed"}:
        return [Audience(f"referral_{target}", await batch.sender(row), "sender", base)]
    if target == "cancelled":
        audiences: list[Audience] = []
        if payload.get("from") != "draft":
            audiences.append(
                Audience("referral_cancelled", await batch.staff(row), "receiver", base)
            )
        if side == "system" and payload.get("reason") == "answer_expired":
            audiences.append(Audience("referral_expired", await batch.sender(row), "sender", base))
        return audiences
    return []


def _referral_id(payload: dict[str, Any]) -> UUID | None:
    try:
        return UUID(str(payload["referral_id"]))
    except (KeyError, ValueError):
        return None


async def plans(events: Sequence[tuple[str, dict[str, Any]]]) -> list[Plan]:
    """What to tell whom about each (topic, payload) of a batch, reading what the batch
    needs once; events there is nothing to tell about any more are left out."""
    batch = await _Batch.read(
        found for _topic, payload in events if (found := _referral_id(payload)) is not None
    )
    made = [await _plan(topic, payload, batch) for topic, payload in events]
    return [p for p in made if p is not None]


async def _plan(topic: str, payload: dict[str, Any], batch: _Batch) -> Plan | None:
    event_key = str(payload.get("event_key") or "")
    if topic == CONSENT_WITHDRAWN:
        orgs = {UUID(o) for o in payload.get("recipient_org_ids", [])}
        people: list[Contact] = []
        for org in orgs:
            people.extend(await members_with_role(org, Role.PROVIDER_STAFF, Role.CASE_MANAGER))
        return Plan(
            event_key or f"consent_withdrawn:{payload['consent_id']}",
            None,
            [Audience("consent_withdrawn", people, "receiver", {})],
            "consent.withdrawn",
            orgs,
            {"referral_ids": payload.get("referral_ids", [])},
        )
    referral_id = _referral_id(payload)
    row = batch.referrals.get(referral_id) if referral_id else None
    if row is None:
        return None
    base = {"service": batch.offer_name(row)}
    audiences: list[Audience]
    webhook_type = topic
    if topic == TRANSITION:
        audiences = await _transition(payload, row, batch)
        webhook_type = f"referral.{payload['to']}"
    elif topic in {PLACE_OFFERED, PLACE_OFFER_LAPSED}:
        kind = "place_offered" if topic == PLACE_OFFERED else "place_offer_lapsed"
        params = {**base, "until": payload.get("offered_until", "")}
        audiences = [
            Audience(kind, await batch.staff(row), "receiver", params),
            Audience(kind, await batch.sender(row), "sender", params),
        ]
    elif topic == DEADLINE_REMINDER:
        due = row["answer_due"].isoformat() if row["answer_due"] else ""
        audiences = [Audience("deadline_reminder", await batch.staff(row), "receiver",
                              {**base, "due": due})]
    elif topic == MESSAGE:
        if payload.get("side") == "sender":
            audiences = [Audience("message", await batch.staff(row), "receiver", base)]
        else:
            audiences = [Audience("message", await batch.sender(row), "sender", base)]
        author = payload.get("author_user")
        for audience in audiences:
            audience.people = [p for p in audience.people if str(p.user_id) != author]
    else:
        return None
    orgs = {row["sender_organization"]}
    if row["state"] != "draft":
        orgs.add(row["recipient_organization"])
    data = _data(row)
    if topic == TRANSITION:
        data.update({"from": payload["from"], "reason": payload.get("reason", "")})
    return Plan(event_key, row, audiences, webhook_type, orgs, data)
