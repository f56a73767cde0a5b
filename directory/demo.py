"""Loads the demo network of Mülheim an der Ruhr into an empty database, in one transaction."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from piccolo.table import Table

from accounts import api as accounts
from core.db import atomic
from directory.demo_data.build import (
    ORGANIZATIONS,
    DemoRows,
    build_demo,
    demo_id,
    organization_id,
    user_id,
)
from directory.demo_data.users import DEMO_PASSWORD, USERS
from directory.tables import Organization
from directory.taxonomy_data import ensure_taxonomies, taxonomy_rows, term_id
from outbox.publish import publish

SERVICE_CHANGED = "directory.service_changed"
ORGANIZATION_CHANGED = "directory.organization_changed"

# SQLite's historic limit on bound parameters per statement; bulk inserts stay below it.
_MAX_PARAMETERS = 999


class DemoRefusedError(Exception):
    """The database holds data that is not the demo's; nothing was changed."""


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    display_name: str
    role: str
    organization: str


@dataclass(frozen=True)
class DemoSummary:
    already_loaded: bool
    organizations: int
    locations: int
    offers: int
    capacities: int
    translations: int
    taxonomy_terms: int
    users: int
    logins: tuple[DemoLogin, ...]
    seconds: float


def demo_logins() -> tuple[DemoLogin, ...]:
    names = {org.key: org.name for org in ORGANIZATIONS}
    return tuple(
        DemoLogin(u.email, DEMO_PASSWORD, u.display_name, u.role, names[u.organization])
        for u in USERS
    )


def demo_organization_ids() -> list[uuid.UUID]:
    return [organization_id(org.key) for org in ORGANIZATIONS]


def demo_user_ids() -> list[uuid.UUID]:
    return [user_id(u.key) for u in USERS]


async def load_demo(now: datetime | None = None) -> DemoSummary:
    """Load the demo; report it as already loaded when it is; refuse next to any other data.

    Raises DemoRefusedError (leaving the database untouched) when organisations or users exist that
    are not the demo's, or when only part of the demo is present.
    """
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    rows = build_demo(now)
    # Checked before hashing passwords (slow on purpose) and again under the write lock.
    if await _demo_present():
        return _summary(rows, True, started)
    # One hash for all demo users: they share the published password anyway, and argon2 is slow.
    password = await accounts.shared_password(DEMO_PASSWORD)
    async with atomic():
        if await _demo_present():
            return _summary(rows, True, started)
        _use_installed_terms(rows, await ensure_taxonomies())
        await _insert_all(rows)
        await accounts.add_users(_demo_users(), password, now)
        for org in rows.organizations:
            await publish(ORGANIZATION_CHANGED, {"organization_id": str(org.id)})
        for service in rows.services:
            await publish(SERVICE_CHANGED, {"service_id": str(service.id)})
    return _summary(rows, False, started)


async def _demo_present() -> bool:
    """True when the whole demo is there, False when the database is empty of orgs and users."""
    org_ids, user_ids = demo_organization_ids(), demo_user_ids()
    foreign_orgs = await Organization.count().where(Organization.id.not_in(org_ids))
    users = await accounts.count_users(user_ids)
    foreign_users = users.others
    if foreign_orgs or foreign_users:
        raise DemoRefusedError(
            f"The database already holds {_plural(foreign_orgs, 'organisation')} and "
            f"{_plural(foreign_users, 'user')} that are not part of the demo. The demo is only "
            "loaded into an empty database (use a new LOTSE_DATA_DIR or DATABASE_URL). "
            "Nothing was changed."
        )
    demo_orgs = await Organization.count().where(Organization.id.is_in(org_ids))
    demo_users = users.listed
    if demo_orgs == len(org_ids) and demo_users == len(user_ids):
        return True
    if demo_orgs or demo_users:
        raise DemoRefusedError(
            f"The database holds only part of the demo ({demo_orgs} of {len(org_ids)} "
            f"organisations, {demo_users} of {len(user_ids)} users). Start from an empty "
            "database and run `lotse demo` again. Nothing was changed."
        )
    return False


async def _insert_all(rows: DemoRows) -> None:
    # Parents before children, so that every foreign key finds its row.
    for batch in (
        rows.organizations, rows.locations, rows.services, rows.service_at_locations,
        rows.phones, rows.contacts, rows.languages, rows.terms, rows.cost_options,
        rows.documents, rows.capacities, rows.translations,
    ):
        await insert_in_chunks(batch)


def _use_installed_terms(rows: DemoRows, installed: dict[str, uuid.UUID]) -> None:
    """Point the offers' terms at the installed ids (they differ only if installed elsewhere)."""
    code_of = {term_id(code): code for code in installed}
    for link in rows.terms:
        link.term = installed[code_of[link.term]]


def _demo_users() -> list[accounts.NewUser]:
    return [
        accounts.NewUser(id=user_id(spec.key), email=spec.email, display_name=spec.display_name,
                         organization_id=organization_id(spec.organization), role=spec.role,
                         membership_id=demo_id("membership", spec.key))
        for spec in USERS
    ]


async def insert_in_chunks(rows: Sequence[Table]) -> None:
    """Multi-row INSERTs, each below the parameter limit of the database."""
    if not rows:
        return
    table = type(rows[0])
    size = max(1, _MAX_PARAMETERS // len(table._meta.columns))
    for start in range(0, len(rows), size):
        await table.insert(*rows[start:start + size])


def _summary(rows: DemoRows, already_loaded: bool, started: float) -> DemoSummary:
    return DemoSummary(
        already_loaded=already_loaded,
        organizations=len(rows.organizations),
        locations=len(rows.locations),
        offers=len(rows.services),
        capacities=len(rows.capacities),
        translations=len(rows.translations),
        taxonomy_terms=len(taxonomy_rows()[1]),
        users=len(USERS),
        logins=demo_logins(),
        seconds=time.perf_counter() - started,
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
