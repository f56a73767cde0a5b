"""Consents: which organisations may receive which categories of client data, what for, how long.

No personal data leaves the client's organisation without a consent that is active on the day,
not withdrawn, names the recipient, the purpose and every category shared; special categories
(GDPR Art. 9, here: health) additionally need the explicit flag.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec
from litestar.exceptions import ClientException, NotFoundException

from accounts import audit
from accounts.identity import CurrentUser
from accounts.roles import Role
from core.db import atomic
from directory.tables import Organization
from outbox.publish import publish
from referrals.problems import N_, InputProblems, Problem
from referrals.tables import Client, Consent, ConsentRecipient

# Outbox topic of a withdrawal: {consent_id, recipient_org_ids, referral_ids}.
WITHDRAWN_TOPIC = "referrals.consent_withdrawn"

# Data category codes, shared with referrals and the consent form.
IDENTITY = "identity"
BIRTH_DATE = "birth_date"
CONTACT = "contact"
LANGUAGES = "languages"
DISTRICT = "district"
NOTES = "notes"
HEALTH = "health"

CATEGORIES: tuple[str, ...] = (IDENTITY, BIRTH_DATE, CONTACT, LANGUAGES, DISTRICT, NOTES, HEALTH)
SPECIAL_CATEGORIES: frozenset[str] = frozenset({HEALTH})

# Purposes a consent can be given for.
PURPOSE_REFERRAL = "referral"
PURPOSE_COORDINATION = "coordination"
PURPOSES: tuple[str, ...] = (PURPOSE_REFERRAL, PURPOSE_COORDINATION)

# How the consent was given; a verbal consent names its witness in the evidence note.
EVIDENCE_WRITTEN = "written"
EVIDENCE_ELECTRONIC = "electronic"
EVIDENCE_VERBAL_WITNESSED = "verbal_witnessed"
EVIDENCE_KINDS: tuple[str, ...] = (EVIDENCE_WRITTEN, EVIDENCE_ELECTRONIC, EVIDENCE_VERBAL_WITNESSED)

TIME_ZONE = ZoneInfo("Europe/Berlin")

# Interface labels (gettext msgids); the printable consent has its own wording per language.
CATEGORY_LABELS: dict[str, str] = {
    IDENTITY: N_("Name"),
    BIRTH_DATE: N_("Date of birth"),
    CONTACT: N_("Contact details (phone, e-mail)"),
    LANGUAGES: N_("Languages"),
    DISTRICT: N_("District"),
    NOTES: N_("Case notes"),
    HEALTH: N_("Health (special category)"),
}
PURPOSE_LABELS: dict[str, str] = {
    PURPOSE_REFERRAL: N_("Referral to an offer"),
    PURPOSE_COORDINATION: N_("Coordination of support between organisations"),
}
EVIDENCE_LABELS: dict[str, str] = {
    EVIDENCE_WRITTEN: N_("In writing (signed form)"),
    EVIDENCE_ELECTRONIC: N_("Electronically"),
    EVIDENCE_VERBAL_WITNESSED: N_("Verbally, with a witness"),
}


def local_today() -> date:
    return datetime.now(TIME_ZONE).date()


def categories_of(consent: Consent) -> list[str]:
    raw: Any = consent.data_categories
    if isinstance(raw, str):
        raw = json.loads(raw) if raw else []
    return [str(code) for code in raw] if isinstance(raw, list) else []


def is_active(consent: Consent, on: date | None = None) -> bool:
    day = on or local_today()
    return consent.withdrawn_at is None and consent.valid_from <= day <= consent.valid_until


def covers(consent: Consent, purpose: str, categories: list[str], on: date | None = None) -> bool:
    """Does this consent, on this day, allow sharing these categories for this purpose?"""
    if not is_active(consent, on) or consent.purpose != purpose:
        return False
    wanted = set(categories)
    if wanted & SPECIAL_CATEGORIES and not consent.special_categories:
        return False
    return wanted <= set(categories_of(consent))


def unknown_categories(categories: list[str]) -> list[str]:
    return [code for code in categories if code not in CATEGORIES]


async def covering_consent(
    client_id: UUID,
    recipient_org_id: UUID,
    purpose: str,
    categories: list[str],
    on: date | None = None,
) -> Consent | None:
    """The most recently recorded consent that covers sharing `categories` with the recipient."""
    unknown = unknown_categories(categories)
    if unknown:
        raise ValueError(f"unknown data categories: {', '.join(unknown)}")
    day = on or local_today()
    links = await ConsentRecipient.select(ConsentRecipient.consent).where(
        ConsentRecipient.organization == recipient_org_id,
        ConsentRecipient.consent.client == client_id,
    )
    consent_ids = [row["consent"] for row in links]
    if not consent_ids:
        return None
    candidates = (
        await Consent.objects()
        .where(
            Consent.id.is_in(consent_ids),
            Consent.purpose == purpose,
            Consent.withdrawn_at.is_null(),
            Consent.valid_from <= day,
            Consent.valid_until >= day,
        )
        .order_by(Consent.recorded_at, ascending=False)
    )
    for consent in candidates:
        if covers(consent, purpose, categories, day):
            return consent
    return None


async def recipients_of(consent_id: UUID) -> list[UUID]:
    rows = await ConsentRecipient.select(ConsentRecipient.organization).where(
        ConsentRecipient.consent == consent_id
    )
    return [row["organization"] for row in rows]


async def consented_categories(
    client_id: UUID, recipient_org_ids: set[UUID], on: date | None = None
) -> dict[UUID, set[str]]:
    """Per active consent naming one of these organisations: the categories it allows."""
    if not recipient_org_ids:
        return {}
    day = on or local_today()
    links = await ConsentRecipient.select(ConsentRecipient.consent).where(
        ConsentRecipient.organization.is_in(list(recipient_org_ids)),
        ConsentRecipient.consent.client == client_id,
    )
    ids = list({row["consent"] for row in links})
    if not ids:
        return {}
    consents = await Consent.objects().where(Consent.id.is_in(ids))
    result: dict[UUID, set[str]] = {}
    for consent in consents:
        if not is_active(consent, day):
            continue
        allowed = set(categories_of(consent))
        if not consent.special_categories:
            allowed -= SPECIAL_CATEGORIES
        result[consent.id] = allowed
    return result


# --- Recording and withdrawing -------------------------------------------------------------


class ConsentInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    recipient_org_ids: Annotated[list[UUID], msgspec.Meta(max_length=50)]
    purpose: str
    data_categories: Annotated[list[str], msgspec.Meta(max_length=len(CATEGORIES))]
    valid_from: date
    valid_until: date
    evidence: str
    evidence_note: Annotated[str, msgspec.Meta(max_length=255)] = ""
    special_categories: bool = False


@dataclass(frozen=True)
class Withdrawal:
    consent_id: UUID
    recipient_org_ids: list[UUID]
    cancelled_referral_ids: list[UUID]


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
    elif await Organization.count().where(Organization.id.is_in(list(recipients))) != len(
        recipients
    ):
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
    elif data.valid_until < local_today():
        problems.append(
            Problem(
                "valid_until",
                N_("The end date lies in the past: the consent would never be valid."),
            )
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


async def _client_for_case_manager(client_id: UUID, actor: CurrentUser) -> Client:
    client = await Client.objects().where(Client.id == client_id).first()
    if client is None or client.organization not in actor.org_ids_with(Role.CASE_MANAGER):
        raise NotFoundException(N_("No such client, or you may not see it."))
    return client


async def record_consent(
    client_id: UUID, data: ConsentInput, actor: CurrentUser, remote_addr: str
) -> Consent:
    client = await _client_for_case_manager(client_id, actor)
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
        evidence_note=data.evidence_note.strip(),
        recorded_by=actor.id,
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
            },
            remote_addr,
        )
    return consent


async def consent_of_client(client_id: UUID, consent_id: UUID, actor: CurrentUser) -> Consent:
    await _client_for_case_manager(client_id, actor)
    consent = (
        await Consent.objects().where(Consent.id == consent_id, Consent.client == client_id).first()
    )
    if consent is None:
        raise NotFoundException(N_("No such consent for this client."))
    return consent


async def withdraw_consent(
    client_id: UUID, consent_id: UUID, actor: CurrentUser, remote_addr: str, note: str = ""
) -> Withdrawal:
    """Withdraw at once: access ends, open referrals under it are cancelled, recipients told."""
    from referrals.transitions import cancel_open_for_consent

    consent = await consent_of_client(client_id, consent_id, actor)
    client = await Client.objects().where(Client.id == client_id).first()
    assert client is not None
    recipients = await recipients_of(consent.id)
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
        referral_ids = await cancel_open_for_consent(consent.id, actor, "consent_withdrawn")
        await publish(
            WITHDRAWN_TOPIC,
            {
                "consent_id": str(consent.id),
                "recipient_org_ids": [str(o) for o in recipients],
                "referral_ids": [str(r) for r in referral_ids],
            },
        )
        await audit.record(
            "consent.withdraw",
            "consent",
            consent.id,
            actor,
            client.organization,
            {
                "client_id": client.id,
                "recipient_org_ids": recipients,
                "cancelled_referral_ids": referral_ids,
                "note_given": bool(note.strip()),
            },
            remote_addr,
        )
    return Withdrawal(consent.id, recipients, list(referral_ids))


async def consents_of_client(client_id: UUID) -> list[tuple[Consent, list[dict[str, Any]]]]:
    """Every consent of the client, newest first, with its recipients' ids and names."""
    consents = (
        await Consent.objects()
        .where(Consent.client == client_id)
        .order_by(Consent.recorded_at, ascending=False)
    )
    if not consents:
        return []
    links = await ConsentRecipient.select(
        ConsentRecipient.consent, ConsentRecipient.organization, ConsentRecipient.organization.name
    ).where(ConsentRecipient.consent.is_in([c.id for c in consents]))
    result = []
    for consent in consents:
        recipients = [
            {"id": row["organization"], "name": row["organization.name"]}
            for row in links
            if row["consent"] == consent.id
        ]
        result.append((consent, sorted(recipients, key=lambda r: str(r["name"]).lower())))
    return result
