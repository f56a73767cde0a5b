"""Recording and withdrawing a client's consents, by a case manager of the client's organisation.

A consent names the receiving organisations, the purpose, the data categories and the period;
how it was given is evidence. A withdrawal takes effect at once (the consent decision is made
at read time) and is published, so that the referral exchange cancels what it sent under it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID, uuid4

import msgspec
from litestar.exceptions import ClientException, NotFoundException

from accounts import audit
from accounts.identity import CurrentUser
from clients.categories import (
    CATEGORIES,
    EVIDENCE_KINDS,
    EVIDENCE_VERBAL_WITNESSED,
    PURPOSES,
    SPECIAL_CATEGORIES,
)
from clients.consent import recipients_of, unknown_categories
from clients.consent_catalog import consent_texts
from clients.free_text import seal_text
from clients.records import owned_client
from clients.tables import Client, Consent, ConsentRecipient
from core.db import atomic, retry_conflicts
from core.errors import InputProblems, Problem
from core.i18n import N_
from core.time import berlin_today
from directory import api as directory
from outbox.publish import publish

# Outbox topic of a withdrawal (also one per consent an erasure ends):
# {consent_id, client_id, recipient_org_ids, actor_user_id, reason}.
CONSENT_WITHDRAWN_TOPIC = "clients.consent_withdrawn"
# Reasons a consent ends early, as the referral exchange records them on what it cancels.
WITHDRAWN = "consent_withdrawn"
ERASED = "client_erased"
# Field name bound into the sealed evidence note of a consent.
EVIDENCE_NOTE = "evidence_note"


class ConsentInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    recipient_org_ids: Annotated[list[UUID], msgspec.Meta(max_length=50)]
    purpose: str
    data_categories: Annotated[list[str], msgspec.Meta(max_length=len(CATEGORIES))]
    valid_from: date
    valid_until: date
    evidence: str
    evidence_note: Annotated[str, msgspec.Meta(max_length=255)] = ""
    special_categories: bool = False
    # The catalog language of the consent text the client read (clients/consent_texts).
    text_language: Annotated[str, msgspec.Meta(max_length=20)] = "de"


async def _problems(data: ConsentInput, owner_org: UUID) -> list[Problem]:
    problems: list[Problem] = []
    recipients = set(data.recipient_org_ids)
    if not recipients:
        problems.append(
            Problem(
                "recipient_org_ids", N_("Name at least one organisation that may receive the data.")
            )
        )
    elif owner_org in recipients:
        problems.append(
            Problem(
                "recipient_org_ids",
                N_("Your own organisation needs no consent; choose the receiving one."),
            )
        )
    elif len(await directory.organization_names(recipients)) != len(recipients):
        problems.append(
            Problem("recipient_org_ids", N_("One of the receiving organisations does not exist."))
        )
    if data.purpose not in PURPOSES:
        problems.append(Problem("purpose", N_("Choose the purpose of the consent.")))
    unknown = unknown_categories(data.data_categories)
    if unknown:
        problems.append(
            Problem(
                "data_categories",
                N_("Unknown data categories: %(codes)s."),
                {"codes": ", ".join(unknown)},
            )
        )
    if not data.data_categories:
        problems.append(Problem("data_categories", N_("Choose at least one data category.")))
    if set(data.data_categories) & SPECIAL_CATEGORIES and not data.special_categories:
        problems.append(
            Problem(
                "special_categories",
                N_(
                    "Health data is a special category: the client must consent to it "
                    "explicitly. Tick the box for explicit consent or remove the category."
                ),
            )
        )
    if data.valid_until < data.valid_from:
        problems.append(
            Problem("valid_until", N_("The consent must end on or after the day it starts."))
        )
    elif data.valid_until < berlin_today():
        problems.append(
            Problem(
                "valid_until",
                N_("The end date lies in the past: the consent would never be valid."),
            )
        )
    if data.text_language not in consent_texts():
        problems.append(
            Problem("text_language", N_("Choose the language of the consent text the client read."))
        )
    if data.evidence not in EVIDENCE_KINDS:
        problems.append(Problem("evidence", N_("Choose how the consent was given.")))
    elif data.evidence == EVIDENCE_VERBAL_WITNESSED and not data.evidence_note.strip():
        problems.append(
            Problem(
                "evidence_note",
                N_("A verbal consent needs the name of its witness in the evidence note."),
            )
        )
    return problems


async def record_consent(
    client_id: UUID, data: ConsentInput, actor: CurrentUser, remote_addr: str
) -> Consent:
    client = await owned_client(client_id, actor)
    if client.erased_at is not None:
        raise ClientException(N_("This client was erased; no consent can be recorded."))
    problems = await _problems(data, client.organization)
    if problems:
        raise InputProblems(problems)
    categories = [code for code in CATEGORIES if code in set(data.data_categories)]
    consent = Consent(
        id=uuid4(),
        client=client.id,
        purpose=data.purpose,
        data_categories=categories,
        special_categories=data.special_categories,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        evidence=data.evidence,
        # A witness's name and the like: sealed with the client's key, erased with it.
        evidence_note=await seal_text(client.id, EVIDENCE_NOTE, data.evidence_note.strip()),
        recorded_by=actor.id,
        # The evidence: which text, in which language and version, the client agreed to.
        text_language=data.text_language,
        text_version=consent_texts()[data.text_language].version,
    )
    recipients = sorted(set(data.recipient_org_ids))
    async with atomic():
        await consent.save()
        await ConsentRecipient.insert(
            *(ConsentRecipient(id=uuid4(), consent=consent.id, organization=o) for o in recipients)
        )
        await audit.record(
            "consent.create",
            "consent",
            consent.id,
            actor,
            client.organization,
            {
                "client_id": client.id,
                "purpose": consent.purpose,
                "categories": categories,
                "recipient_org_ids": recipients,
                "valid_until": consent.valid_until,
                "evidence": consent.evidence,
                "text_language": consent.text_language,
                "text_version": consent.text_version,
            },
            remote_addr,
        )
    return consent


async def consent_of_client(client_id: UUID, consent_id: UUID, actor: CurrentUser) -> Consent:
    await owned_client(client_id, actor)
    consent = (
        await Consent.objects().where(Consent.id == consent_id, Consent.client == client_id).first()
    )
    if consent is None:
        raise NotFoundException(N_("No such consent for this client."))
    return consent


async def withdraw_consent(
    client_id: UUID, consent_id: UUID, actor: CurrentUser, remote_addr: str, note: str = ""
) -> None:
    """Withdraw at once: every later consent decision refuses it, so access ends now.

    Others hear of it through the outbox, in the same transaction: the referral exchange
    cancels the open referrals sent under it and tells the recipients.
    """
    consent = await consent_of_client(client_id, consent_id, actor)
    client = await owned_client(client_id, actor)
    recipients = await recipients_of(consent.id)
    await retry_conflicts(lambda: _withdraw(consent, client, actor, recipients, remote_addr, note))


async def _withdraw(consent: Consent, client: Client, actor: CurrentUser, recipients: list[UUID],
                    remote_addr: str, note: str) -> None:
    async with atomic():
        # The WHERE on withdrawn_at makes a second, concurrent withdrawal a no-op we can detect.
        changed = (
            await Consent.update(
                {Consent.withdrawn_at: datetime.now(UTC), Consent.withdrawn_by: actor.id}
            )
            .where(Consent.id == consent.id, Consent.withdrawn_at.is_null())
            .returning(Consent.id)
        )
        if not changed:
            raise ClientException(N_("This consent was already withdrawn."), status_code=409)
        await publish_withdrawal(consent.id, client.id, actor.id, WITHDRAWN)
        await audit.record(
            "consent.withdraw",
            "consent",
            consent.id,
            actor,
            client.organization,
            {
                "client_id": client.id,
                "recipient_org_ids": recipients,
                "note_given": bool(note.strip()),
            },
            remote_addr,
        )


async def publish_withdrawal(
    consent_id: UUID, client_id: UUID, actor_id: UUID | None, reason: str
) -> None:
    """The outbox event of a withdrawn consent: ids only, no personal data."""
    await publish(
        CONSENT_WITHDRAWN_TOPIC,
        {
            "consent_id": str(consent_id),
            "client_id": str(client_id),
            "recipient_org_ids": [str(o) for o in await recipients_of(consent_id)],
            "actor_user_id": str(actor_id) if actor_id else None,
            "reason": reason,
        },
    )


async def consents_of_client(
    client_id: UUID,
) -> list[tuple[Consent, list[directory.OrganizationName]]]:
    """Every consent of the client, newest first, with its recipients by name."""
    consents = (
        await Consent.objects()
        .where(Consent.client == client_id)
        .order_by(Consent.recorded_at, ascending=False)
    )
    if not consents:
        return []
    links = await ConsentRecipient.select(
        ConsentRecipient.consent, ConsentRecipient.organization
    ).where(ConsentRecipient.consent.is_in([c.id for c in consents]))
    names = await directory.organization_names(row["organization"] for row in links)
    result = []
    for consent in consents:
        mine = {row["organization"] for row in links if row["consent"] == consent.id}
        # By name; an organisation that vanished keeps its id, nameless, at the end.
        recipients = sorted(
            (directory.OrganizationName(id=o, name=names.get(o, "")) for o in mine),
            key=lambda ref: (not ref.name, ref.name.lower()),
        )
        result.append((consent, recipients))
    return result
