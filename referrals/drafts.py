"""Writing a referral's content: created as a draft by a case manager, editable until sent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

import msgspec
from litestar.exceptions import NotFoundException, ValidationException

from accounts.identity import CurrentUser
from accounts.roles import Role
from clients.api import CATEGORIES, find_client
from core.db import atomic
from directory import api as directory
from referrals import sealed
from referrals.states import State
from referrals.tables import Referral
from referrals.transitions import TransitionConflict
from referrals.waitlist import URGENCIES

# What a referral is for; the form offers these, the API expects these codes.
NEED_CATEGORIES: tuple[str, ...] = (
    "language_course",
    "counselling",
    "integration_course",
    "work",
    "education",
    "childcare",
    "housing",
    "health",
    "legal",
    "leisure",
    "other",
)
AGE_BANDS: tuple[str, ...] = ("0-17", "18-26", "27-44", "45-64", "65+")

Short = Annotated[str, msgspec.Meta(max_length=255)]
Long = Annotated[str, msgspec.Meta(max_length=5000)]
LanguageCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,3}$")]


class ReferralInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    client_id: UUID
    service_id: UUID
    need_category: str
    need_text: Long = ""
    urgency: str = "normal"
    languages: Annotated[list[LanguageCode], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )
    interpreter_needed: bool = False
    accessibility_needs: Long = ""
    preferred_times: Short = ""
    notes: Long = ""
    shared_categories: Annotated[list[str], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )
    age_band: str = ""
    district: Annotated[str, msgspec.Meta(max_length=100)] = ""


class ReferralChanges(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A partial update of a draft: fields left out stay as they are."""

    need_category: str | msgspec.UnsetType = msgspec.UNSET
    need_text: Long | msgspec.UnsetType = msgspec.UNSET
    urgency: str | msgspec.UnsetType = msgspec.UNSET
    languages: list[LanguageCode] | msgspec.UnsetType = msgspec.UNSET
    interpreter_needed: bool | msgspec.UnsetType = msgspec.UNSET
    accessibility_needs: Long | msgspec.UnsetType = msgspec.UNSET
    preferred_times: Short | msgspec.UnsetType = msgspec.UNSET
    notes: Long | msgspec.UnsetType = msgspec.UNSET
    shared_categories: list[str] | msgspec.UnsetType = msgspec.UNSET
    age_band: str | msgspec.UnsetType = msgspec.UNSET
    district: Annotated[str, msgspec.Meta(max_length=100)] | msgspec.UnsetType = msgspec.UNSET


CONTENT_FIELDS = tuple(ReferralChanges.__struct_fields__)


def problems_of(values: dict[str, Any]) -> list[str]:
    """Human-readable problems with content values (only the keys present are checked)."""
    problems: list[str] = []
    if "need_category" in values and values["need_category"] not in NEED_CATEGORIES:
        problems.append(f"Choose a kind of need: {', '.join(NEED_CATEGORIES)}.")
    if "urgency" in values and values["urgency"] not in URGENCIES:
        problems.append(f"Urgency must be one of: {', '.join(URGENCIES)}.")
    if values.get("age_band") and values["age_band"] not in AGE_BANDS:
        problems.append(f"Age band must be one of: {', '.join(AGE_BANDS)}.")
    unknown = [c for c in values.get("shared_categories", []) if c not in CATEGORIES]
    if unknown:
        problems.append(
            f"Unknown data categories {', '.join(unknown)}; use: {', '.join(CATEGORIES)}."
        )
    return problems


def _check(values: dict[str, Any]) -> None:
    problems = problems_of(values)
    if problems:
        raise ValidationException(" ".join(problems), extra=[{"message": p} for p in problems])


def _sender_org(actor: CurrentUser, client_org: UUID) -> UUID:
    if client_org not in actor.org_ids_with(Role.CASE_MANAGER):
        raise NotFoundException("No such client in your organisation.")
    return client_org


class PreparedDraft(msgspec.Struct, frozen=True):
    """A checked draft with its texts sealed, ready to be written (and answered from)."""

    id: UUID
    data: ReferralInput
    sender_organization: UUID
    sender_organization_name: str
    client_pseudonym: str
    offer: directory.ReferralOffer
    sealed_texts: dict[str, str]
    shared_categories: list[str]
    created_at: datetime


async def prepare_draft(data: ReferralInput, actor: CurrentUser) -> PreparedDraft:
    """Check a new draft and seal its texts; reads only, so it runs before the transaction."""
    values = msgspec.to_builtins(data)
    _check(values)
    client = await find_client(data.client_id)
    if client is None:
        raise NotFoundException("No such client in your organisation.")
    sender_org = _sender_org(actor, client.organization)
    if client.erased_at is not None:
        raise TransitionConflict(detail="This client was erased; no referral can be made.")
    offer = await directory.offer_for_referral(data.service_id)
    if offer is None:
        raise NotFoundException("No such offer.")
    if not offer.takes_referrals:
        raise TransitionConflict(detail="This offer no longer takes referrals; choose another.")
    texts = await sealed.seal_referral_texts(
        data.client_id,
        {
            "need_text": data.need_text.strip(),
            "accessibility_needs": data.accessibility_needs.strip(),
            "preferred_times": data.preferred_times.strip(),
            "notes": data.notes.strip(),
        },
    )
    names = await directory.organization_names([sender_org])
    return PreparedDraft(
        id=uuid4(),
        data=data,
        sender_organization=sender_org,
        sender_organization_name=names.get(sender_org, ""),
        client_pseudonym=client.pseudonym,
        offer=offer,
        sealed_texts={k: str(v) for k, v in texts.items()},
        shared_categories=[c for c in CATEGORIES if c in set(data.shared_categories)],
        created_at=datetime.now(UTC),
    )


async def write_draft(draft: PreparedDraft, actor: CurrentUser) -> None:
    """Insert a prepared draft; inside the caller's `atomic()` it commits with the caller."""
    data, texts, now = draft.data, draft.sealed_texts, draft.created_at
    async with atomic():
        await Referral.insert(
            Referral(
                id=draft.id,
                client=data.client_id,
                service=data.service_id,
                sender_organization=draft.sender_organization,
                recipient_organization=draft.offer.organization_id,
                sender_user=actor.id,
                state=State.DRAFT.value,
                need_category=data.need_category,
                need_text=texts["need_text"],
                urgency=data.urgency,
                languages=sorted(set(data.languages)),
                interpreter_needed=data.interpreter_needed,
                accessibility_needs=texts["accessibility_needs"],
                preferred_times=texts["preferred_times"],
                notes=texts["notes"],
                shared_categories=draft.shared_categories,
                age_band=data.age_band,
                district=data.district.strip(),
                created_at=now,
                updated_at=now,
            )
        )


async def create_draft(data: ReferralInput, actor: CurrentUser) -> UUID:
    draft = await prepare_draft(data, actor)
    await write_draft(draft, actor)
    return draft.id


async def update_draft(
    referral_id: UUID, changes: ReferralChanges, actor: CurrentUser, version: int | None = None
) -> None:
    values = {
        k: v for k, v in msgspec.to_builtins(changes).items() if k in CONTENT_FIELDS
    }
    _check(values)
    row = await Referral.select(
        Referral.state, Referral.sender_organization, Referral.version, Referral.client
    ).where(Referral.id == referral_id).first()
    if row is None or row["sender_organization"] not in actor.org_ids_with(Role.CASE_MANAGER):
        raise NotFoundException("No such referral.")
    if row["state"] != State.DRAFT.value:
        raise TransitionConflict(
            detail="Only a draft can be edited; this referral was sent already.",
            extra={"code": "not_a_draft"},
        )
    if "shared_categories" in values:
        values["shared_categories"] = [
            c for c in CATEGORIES if c in set(values["shared_categories"])
        ]
    if "languages" in values:
        values["languages"] = sorted(set(values["languages"]))
    values = await sealed.seal_referral_texts(
        row["client"], {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    )
    update: dict[Any, Any] = {
        Referral._meta.get_column_by_name(k): v for k, v in values.items()
    }
    update[Referral.updated_at] = datetime.now(UTC)
    update[Referral.version] = Referral.version + 1
    expected = row["version"] if version is None else version
    async with atomic():
        changed = (
            await Referral.update(update)
            .where(
                (Referral.id == referral_id)
                & (Referral.state == State.DRAFT.value)
                & (Referral.version == expected)
            )
            .returning(Referral.id)
        )
    if not changed:
        raise TransitionConflict(
            detail="The draft was changed or sent meanwhile; reload it and try again.",
            extra={"code": "changed_meanwhile"},
        )
