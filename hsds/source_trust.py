"""Which organisations an import source may maintain, and what it has imported before.

A source is known by the name an import gives it (``--source``, else its path or URL). It may
create organisations Lotse does not hold yet; those belong to it from then on. Any other
organisation it may change only once a network admin has allowed it (``lotse hsds sources
allow``). A record that would create or change rows of any other organisation (re-parent an
offer, rename it, replace its phones) is a record error naming its id.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from core.db import among, atomic, insert_many
from directory import api as directory
from hsds.bundle import Bundle, Row
from hsds.tables import ImportedRecord, ImportSource, SourceOrganization

_NAMESPACE = uuid.UUID("4b7f3c1e-52a9-4f0e-9d7b-6a1c2e8f3d50")
# Tables whose rows belong to no organisation (the network's shared vocabulary).
_SHARED = {"taxonomy", "taxonomy_term", "schedule", "schedule_exception"}
_PARENTS = ("service", "location", "service_at_location")


class SourceTrustError(ValueError):
    """A source or organisation named in a binding does not exist."""


def source_id(name: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, name)


def _binding_id(source: uuid.UUID, organization: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(source, f"organization:{organization}")


def _record_id(source: uuid.UUID, kind: str, record: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(source, f"{kind}:{record}")


async def register(name: str) -> uuid.UUID:
    """The source's id; a source imported from for the first time is registered."""
    key = source_id(name)
    if not await ImportSource.exists().where(ImportSource.id == key):
        await ImportSource.insert(ImportSource(id=key, name=name))
    return key


@dataclass
class SourceInfo:
    name: str
    allowed: list[uuid.UUID]
    created: list[uuid.UUID]
    records: int


async def list_sources() -> list[SourceInfo]:
    found = []
    for source in await ImportSource.select().order_by(ImportSource.name):
        bindings = await SourceOrganization.select().where(
            SourceOrganization.source == source["id"]
        )
        records = await ImportedRecord.count().where(ImportedRecord.source == source["id"])
        found.append(
            SourceInfo(
                source["name"],
                sorted(b["organization"] for b in bindings if not b["created"]),
                sorted(b["organization"] for b in bindings if b["created"]),
                records,
            )
        )
    return found


async def organizations(source: uuid.UUID, *, created_only: bool = False) -> set[uuid.UUID]:
    query = SourceOrganization.select(SourceOrganization.organization).where(
        SourceOrganization.source == source
    )
    if created_only:
        query = query.where(SourceOrganization.created == True)  # noqa: E712
    return {row["organization"] for row in await query}


async def allow(name: str, organization_ids: Iterable[uuid.UUID]) -> int:
    """Let source ``name`` maintain these existing organisations; returns how many are new."""
    wanted = set(organization_ids)
    known = {org.id for org in await directory.organization_choices(include_retired=True)}
    if wanted - known:
        missing = ", ".join(sorted(str(o) for o in wanted - known))
        raise SourceTrustError(f"No organisation with the id {missing}.")
    async with atomic():
        source = await register(name)
        await bind(source, wanted, created=False)
    return len(wanted)


async def set_organizations(name: str, organization_ids: Iterable[uuid.UUID]) -> None:
    """Make exactly these the organisations source ``name`` may maintain (the ones it created
    included: an organisation left out is taken from it)."""
    wanted = set(organization_ids)
    known = {org.id for org in await directory.organization_choices(include_retired=True)}
    if wanted - known:
        missing = ", ".join(sorted(str(o) for o in wanted - known))
        raise SourceTrustError(f"No organisation with the id {missing}.")
    async with atomic():
        source = await register(name)
        keep = [_binding_id(source, org) for org in wanted]
        await SourceOrganization.delete().where(
            (SourceOrganization.source == source) & SourceOrganization.id.not_in(keep or [source])
        )
        await bind(source, wanted, created=False)


async def revoke(name: str, organization_ids: Iterable[uuid.UUID]) -> int:
    source = source_id(name)
    if not await ImportSource.exists().where(ImportSource.id == source):
        raise SourceTrustError(f"No import source named {name!r}.")
    ids = [_binding_id(source, org) for org in set(organization_ids)]
    async with atomic():
        present = await SourceOrganization.count().where(SourceOrganization.id.is_in(ids))
        await SourceOrganization.delete().where(SourceOrganization.id.is_in(ids))
    return int(present)


async def bind(source: uuid.UUID, organization_ids: Iterable[uuid.UUID], *, created: bool) -> None:
    wanted = {_binding_id(source, org): org for org in organization_ids}
    if not wanted:
        return
    present = {
        row["id"]
        for row in await SourceOrganization.select(SourceOrganization.id).where(
            SourceOrganization.id.is_in(list(wanted))
        )
    }
    rows = [
        SourceOrganization(id=key, source=source, organization=org, created=created)
        for key, org in wanted.items()
        if key not in present
    ]
    if rows:
        await SourceOrganization.insert(*rows)


async def imported(source: uuid.UUID, kind: str) -> set[uuid.UUID]:
    rows = await ImportedRecord.select(ImportedRecord.record_id).where(
        (ImportedRecord.source == source) & (ImportedRecord.kind == kind)
    )
    return {row["record_id"] for row in rows}


async def remember(source: uuid.UUID, keys: Iterable[tuple[str, uuid.UUID]]) -> None:
    """Note the records (kind, HSDS id) this source brought; known ones stay as they are."""
    wanted = {_record_id(source, kind, record): (kind, record) for kind, record in keys}
    ids = list(wanted)
    present: set[uuid.UUID] = set()
    for start in range(0, len(ids), 2000):
        rows = await ImportedRecord.select(ImportedRecord.id).where(
            among(ImportedRecord.id, ids[start : start + 2000])
        )
        present.update(row["id"] for row in rows)
    await insert_many(
        ImportedRecord,
        [
            {"id": key, "source": source, "kind": kind, "record_id": record}
            for key, (kind, record) in wanted.items()
            if key not in present
        ],
    )


def _rows(bundle: Bundle) -> list[tuple[str, Row]]:
    rows = [(item.table, item.row) for item in bundle.upserts]
    rows += [(child.table, row) for child in bundle.children for row in child.rows]
    return [(table, row) for table, row in rows if table not in _SHARED]


async def foreign_organizations(
    bundles: list[Bundle], allowed: set[uuid.UUID]
) -> dict[int, str]:
    """Index of bundle -> why it may not be written: it creates or changes rows of an
    organisation that exists and is not one the source may maintain.

    A row counts for the organisation it belongs to now and the one it would belong to, so
    neither moving an offer away nor moving one in passes.
    """
    given: dict[tuple[str, uuid.UUID], set[uuid.UUID]] = defaultdict(set)
    sal_service: dict[uuid.UUID, uuid.UUID] = {}
    lookups: dict[str, set[uuid.UUID]] = defaultdict(set)
    for bundle in bundles:
        for table, row in _rows(bundle):
            lookups[table].add(row["id"])
            if table in {"service", "location"} and row.get("organization") is not None:
                given[(table, row["id"])].add(row["organization"])
            if table == "service_at_location" and row.get("service") is not None:
                sal_service[row["id"]] = row["service"]
            for column in ("organization", *_PARENTS):
                if row.get(column) is not None:
                    lookups[column].add(row[column])
        for child in bundle.children:
            lookups[child.parent_column].add(child.parent_id)
        for schedules in bundle.schedules:
            lookups[schedules.owner_column].add(schedules.owner_id)
    held = {table: await directory.import_owners(table, ids) for table, ids in lookups.items()}

    # Rows name the same parents over and over (a location per offer, the organisation).
    known: dict[tuple[str, uuid.UUID], set[uuid.UUID]] = {}

    def owners(table: str, row_id: uuid.UUID) -> set[uuid.UUID]:
        if table == "organization":
            return {row_id}
        found = known.get((table, row_id))
        if found is not None:
            return found
        found = set(given.get((table, row_id), set()))
        if table == "service_at_location" and row_id in sal_service:
            found |= owners("service", sal_service[row_id])
        owner = held.get(table, {}).get(row_id)
        if owner is not None:
            found.add(owner)
        known[(table, row_id)] = found
        return found

    existing = set(held.get("organization", {}))
    existing |= {owner for found in held.values() for owner in found.values() if owner}
    problems: dict[int, str] = {}
    for index, bundle in enumerate(bundles):
        touched: set[uuid.UUID] = set()
        for table, row in _rows(bundle):
            touched |= owners(table, row["id"])
            for column in ("organization", *_PARENTS):
                if row.get(column) is not None:
                    touched |= owners(column, row[column])
        for child in bundle.children:
            touched |= owners(child.parent_column, child.parent_id)
        for schedules in bundle.schedules:
            touched |= owners(schedules.owner_column, schedules.owner_id)
        foreign = sorted(str(org) for org in touched if org in existing and org not in allowed)
        if foreign:
            problems[index] = (
                f"record {bundle.record_id} would change organisation {', '.join(foreign)}, "
                "which this source may not maintain (a network admin can allow it with "
                "`lotse hsds sources allow`)"
            )
    return problems
