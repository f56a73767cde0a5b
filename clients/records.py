"""Clients of a case manager's organisation: a pseudonym for everyday use, personal data sealed.

The personal data is encrypted per category with the client's own key (see `clients.crypto`
and `clients.keystore`); every decryption for a person to look at is written to the audit log,
and a person of another organisation sees only what a consent covers (`clients.consent`).
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
from litestar.exceptions import (
    ClientException,
    NotFoundException,
    PermissionDeniedException,
)

from accounts import audit
from accounts.identity import CurrentUser
from accounts.roles import Role
from clients import crypto, rotation
from clients.categories import CATEGORIES, PURPOSES
from clients.consent import covering_consent, unknown_categories
from clients.keystore import get_keystore
from clients.personal_data import (
    CATEGORY_FIELDS,
    FIELD_CATEGORY,
    ClientChanges,
    PersonalData,
    category_values,
    changes_sent,
    filled_categories,
    personal_data_from,
)
from clients.tables import Client
from core.db import atomic, is_sqlite
from core.errors import InputProblems, Problem
from core.i18n import N_

_PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_PSEUDONYM_RE = re.compile(r"^[\w .\-/#]{2,40}$")
# One answer for "does not exist" and "not yours": the difference must not leak.
NOT_FOUND = N_("No such client, or you may not see it.")
# Roles of a recipient organisation that may see data a consent releases to it.
RECIPIENT_ROLES = (Role.PROVIDER_STAFF, Role.CASE_MANAGER)


NAME_OR_PSEUDONYM = N_("Give the client's name or a pseudonym, so that the record can be found.")


class ClientErased(ClientException):
    status_code = 410
    detail = N_("This client was erased; the personal data no longer exists.")


async def _data_key(client_id: UUID) -> bytes:
    stored = await get_keystore().get(client_id)
    if stored is None:
        raise ClientErased()
    # During a rotation a key may still be under the previous master key.
    return crypto.unwrap_key(stored.wrapped, rotation.key_for(stored.kek_id), client_id)


def _new_pseudonym() -> str:
    return "K-" + "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(6))


async def _checked_pseudonym(organization_id: UUID, wanted: str, client_id: UUID | None) -> str:
    pseudonym = wanted.strip()
    if not pseudonym:
        for _ in range(10):
            pseudonym = _new_pseudonym()
            if not await Client.exists().where(
                Client.organization == organization_id, Client.pseudonym == pseudonym
            ):
                return pseudonym
    if not _PSEUDONYM_RE.match(pseudonym):
        raise InputProblems(
            [
                Problem(
                    "pseudonym",
                    N_(
                        "A pseudonym has 2 to 40 letters, digits, spaces or . - / # "
                        "and contains no personal data."
                    ),
                )
            ]
        )
    query = Client.exists().where(
        Client.organization == organization_id, Client.pseudonym == pseudonym
    )
    if client_id is not None:
        query = query.where(Client.id != client_id)
    if await query:
        raise InputProblems(
            [
                Problem(
                    "pseudonym",
                    N_("Your organisation already has a client called %(pseudonym)s."),
                    {"pseudonym": pseudonym},
                )
            ]
        )
    return pseudonym


def managing_org(actor: CurrentUser, organization_id: UUID | None) -> UUID:
    """The organisation a new client belongs to: given, or the actor's only case-managing one."""
    orgs = actor.org_ids_with(Role.CASE_MANAGER)
    if organization_id is not None:
        if organization_id not in orgs:
            raise PermissionDeniedException(
                N_("You can only record clients for an organisation where you are a case manager.")
            )
        return organization_id
    if len(orgs) == 1:
        return next(iter(orgs))
    if not orgs:
        raise PermissionDeniedException(N_("Only case managers can record clients."))
    raise InputProblems(
        [
            Problem(
                "organization_id",
                N_("You work for several organisations: choose one for this client."),
            )
        ]
    )


async def owned_client(client_id: UUID, actor: CurrentUser) -> Client:
    """The client if the actor manages clients of its organisation; else 404, never a hint."""
    client = await Client.objects().where(Client.id == client_id).first()
    if client is None or client.organization not in actor.org_ids_with(Role.CASE_MANAGER):
        raise NotFoundException(NOT_FOUND)
    return client


async def create_client(
    actor: CurrentUser,
    personal: PersonalData,
    remote_addr: str,
    *,
    organization_id: UUID | None = None,
    pseudonym: str = "",
) -> Client:
    if not (personal.given_name.strip() or personal.family_name.strip() or pseudonym.strip()):
        # Without either nobody could tell this client from the next one.
        raise InputProblems([Problem("given_name", NAME_OR_PSEUDONYM)])
    org = managing_org(actor, organization_id)
    client_id = uuid4()
    name = await _checked_pseudonym(org, pseudonym, None)
    data_key = crypto.new_data_key()
    key = rotation.master_keys().current
    # The key is stored first: a failure below leaves an orphan key, never data without a key.
    await get_keystore().put(
        client_id, crypto.wrap_key(data_key, key, client_id), crypto.key_id(key)
    )
    client = Client(
        id=client_id,
        organization=org,
        pseudonym=name,
        sealed_data=crypto.seal_categories(data_key, client_id, category_values(personal)),
        created_by=actor.id,
    )
    try:
        async with atomic():
            await client.save()
            await audit.record(
                "client.create",
                "client",
                client_id,
                actor,
                org,
                {"categories": filled_categories(personal)},
                remote_addr,
            )
    except BaseException:
        # Only a client that was never stored loses its key; a committed one keeps it.
        if not await Client.exists().where(Client.id == client_id):
            await get_keystore().delete(client_id)
        raise
    return client


async def update_client(
    client_id: UUID, changes: ClientChanges, actor: CurrentUser, remote_addr: str
) -> Client:
    client = await owned_client(client_id, actor)
    if client.erased_at is not None:
        raise ClientErased()
    sent = {f: getattr(changes, f) for f in changes_sent(changes)}
    pseudonym_changed = "pseudonym" in sent
    if pseudonym_changed:
        client.pseudonym = await _checked_pseudonym(
            client.organization, sent.pop("pseudonym"), client.id
        )
    touched = sorted({FIELD_CATEGORY[f] for f in sent}, key=CATEGORIES.index)
    if touched:
        data_key = await _data_key(client.id)
        # Merge into the categories being changed; the others stay sealed as they are.
        current = crypto.open_categories(data_key, client.id, client.sealed_data, touched)
        sealed = crypto.sealed_categories(client.sealed_data)
        for cat in touched:
            merged = {name: None for name in CATEGORY_FIELDS[cat]} | (current.get(cat) or {})
            merged.update({f: v for f, v in sent.items() if FIELD_CATEGORY[f] == cat})
            value = msgspec.to_builtins(personal_data_from({cat: merged}))
            sealed[cat] = crypto.seal_value(
                data_key, client.id, cat, {n: value[n] for n in CATEGORY_FIELDS[cat]}
            )
        client.sealed_data = msgspec.json.encode(dict(sorted(sealed.items()))).decode()
    client.updated_at = datetime.now(UTC)
    async with atomic():
        await client.save()
        await audit.record(
            "client.update",
            "client",
            client.id,
            actor,
            client.organization,
            {"categories": touched, "pseudonym_changed": pseudonym_changed},
            remote_addr,
        )
    return client


async def _recipient_grant(
    client: Client, categories: list[str], actor: CurrentUser, purpose: str | None
) -> tuple[UUID, UUID] | None:
    """(recipient organisation, consent) that releases these categories to the actor, if any.

    Without a `purpose`, a consent for any purpose will do.
    """
    orgs = sorted(actor.org_ids_with(*RECIPIENT_ROLES) - {client.organization})
    for wanted in [purpose] if purpose is not None else list(PURPOSES):
        for org in orgs:
            consent_id = await covering_consent(client.id, org, wanted, categories)
            if consent_id is not None:
                return org, consent_id
    return None


async def reveal_personal_data(
    client_id: UUID,
    categories: list[str],
    actor: CurrentUser,
    remote_addr: str,
    *,
    purpose: str | None = None,
) -> dict[str, Any]:
    """Decrypt the given categories for the actor to see, and log that they saw them.

    Allowed for case managers of the client's organisation, and for staff of an organisation an
    active consent releases every one of these categories to (for `purpose`, when given).
    Raises NotFoundException when neither applies, ClientErased when the data is gone.
    """
    unknown = unknown_categories(categories)
    if unknown:
        raise InputProblems(
            [
                Problem(
                    "categories",
                    N_("Unknown data categories: %(codes)s."),
                    {"codes": ", ".join(unknown)},
                )
            ]
        )
    client = await Client.objects().where(Client.id == client_id).first()
    if client is None:
        raise NotFoundException(NOT_FOUND)
    via: dict[str, Any]
    if client.organization in actor.org_ids_with(Role.CASE_MANAGER):
        acting_org = client.organization
        via = {"via": "owner"}
    else:
        grant = await _recipient_grant(client, categories, actor, purpose)
        if grant is None:
            raise NotFoundException(NOT_FOUND)
        acting_org, consent_id = grant
        via = {"via": "consent", "consent_id": str(consent_id)}
    if client.erased_at is not None:
        raise ClientErased()
    data_key = await _data_key(client.id)
    values = crypto.open_categories(data_key, client.id, client.sealed_data, categories)
    await audit.record(
        "client.read",
        "client",
        client.id,
        actor,
        client.organization,
        {"categories": list(categories), **via},
        remote_addr,
        actor_organization=acting_org,
    )
    return values


def _like_pattern(text: str) -> str:
    # SQLite's LIKE has no default escape character; a stray wildcard only widens the search.
    return "%" + text.replace("%", "").replace("\\", "") + "%"


async def list_clients(
    actor: CurrentUser,
    *,
    query: str = "",
    organization_id: UUID | None = None,
    include_erased: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Client], int]:
    """The clients of the actor's case-managing organisations, newest first, by pseudonym."""
    orgs = actor.org_ids_with(Role.CASE_MANAGER)
    if organization_id is not None:
        orgs &= {organization_id}
    if not orgs:
        return [], 0
    conditions = [Client.organization.is_in(list(orgs))]
    if not include_erased:
        conditions.append(Client.erased_at.is_null())
    if query.strip():
        # SQLite's LIKE already ignores case (for ASCII); PostgreSQL needs ILIKE.
        match = Client.pseudonym.like if is_sqlite() else Client.pseudonym.ilike
        conditions.append(match(_like_pattern(query.strip())))
    rows = (
        await Client.objects()
        .where(*conditions)
        .order_by(Client.created_at, ascending=False)
        .offset(offset)
        .limit(limit)
    )
    total = await Client.count().where(*conditions)
    return list(rows), total


async def changes_against_stored(client: Client, wanted: PersonalData) -> ClientChanges:
    """Only the fields that differ from what is stored, so the audit names what really changed.

    Decrypts internally to compare; nothing is shown to anyone, so this is not a logged read.
    """
    if client.erased_at is not None:
        raise ClientErased()
    data_key = await _data_key(client.id)
    current = personal_data_from(
        crypto.open_categories(data_key, client.id, client.sealed_data, list(CATEGORIES))
    )
    differing = {
        name: getattr(wanted, name)
        for name in PersonalData.__struct_fields__
        if getattr(wanted, name) != getattr(current, name)
    }
    return ClientChanges(**differing)
