"""Whole records from another system written into the directory (the HSDS import).

The directory stays the only writer of its tables: an import hands over the rows of its records
and this module plans and applies them (upsert by id, child sets replaced exactly), then tells
the search index what changed through the outbox, as every other directory write does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from uuid import UUID

from piccolo.columns import Varchar

from core import row_sync
from core.batches import chunks
from core.db import among
from core.row_sync import Plan, RecordRows, RowTables
from directory.tables import (
    Capacity,
    Contact,
    CostOption,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTerm,
    ServiceTranslation,
    Taxonomy,
    TaxonomyTerm,
)
from outbox.publish import publish_many

SERVICE_CHANGED = "directory.service_changed"
LOCATION_CHANGED = "directory.location_changed"
ORGANIZATION_CHANGED = "directory.organization_changed"
ANNOUNCED_PER_EVENT = 500

# The record kinds and their child tables, parents first, by the names imports use.
TABLES = RowTables(
    tables={
        "taxonomy": Taxonomy,
        "taxonomy_term": TaxonomyTerm,
        "organization": Organization,
        "location": Location,
        "service": Service,
        "service_at_location": ServiceAtLocation,
        "phone": Phone,
        "contact": Contact,
        "language": ServiceLanguage,
        "cost_option": CostOption,
        "required_document": RequiredDocument,
        "capacity": Capacity,
        "translation": ServiceTranslation,
        "service_term": ServiceTerm,
    },
    stamped=frozenset({"organization", "location", "service"}),
    shared_children={
        "phone": ("organization", "service", "location"),
        "contact": ("organization", "service"),
    },
    owner_columns=frozenset({"service", "location", "organization", "service_at_location"}),
    self_parented=frozenset({"taxonomy_term"}),
)


@lru_cache(maxsize=64)
def text_limits(table: str) -> dict[str, int]:
    """The longest text each limited column of ``table`` takes (PostgreSQL refuses more)."""
    if table not in TABLES.tables:
        return {}
    return {
        column._meta.name: column.length
        for column in TABLES.tables[table]._meta.columns
        if isinstance(column, Varchar) and column.length
    }


async def existing_ids(table: str, ids: Iterable[UUID]) -> set[UUID]:
    """Which of ``ids`` the directory's ``table`` holds."""
    return await row_sync.existing_ids(TABLES.tables[table], ids)


async def plan_records(records: Sequence[RecordRows]) -> Plan:
    """What writing these records would change in the directory (nothing is written)."""
    return await row_sync.make_plan(TABLES, records)


async def apply_records(plan: Plan) -> None:
    """Write a plan of ``plan_records``; the caller holds the transaction."""
    await row_sync.apply_plan(TABLES, plan)


async def announce_changes(
    services: Iterable[UUID], locations: Iterable[UUID], organizations: Iterable[UUID]
) -> None:
    """Tell the search index (and anyone else listening) which records an import changed.

    One event names up to `ANNOUNCED_PER_EVENT` records (`service_ids`, ...), where a single
    change names one (`service_id`): an import of 100,000 offers writes a few hundred outbox
    rows, not 400,000 that each cost a claim and a delivery."""
    for topic, key, ids in (
        (SERVICE_CHANGED, "service_ids", services),
        (LOCATION_CHANGED, "location_ids", locations),
        (ORGANIZATION_CHANGED, "organization_ids", organizations),
    ):
        ordered = [str(row_id) for row_id in sorted(set(ids))]
        await publish_many(topic, ({key: part} for part in chunks(ordered, ANNOUNCED_PER_EVENT)))


async def term_id_by_code(code: str) -> UUID | None:
    term = await TaxonomyTerm.select(TaxonomyTerm.id).where(TaxonomyTerm.code == code).first()
    return term["id"] if term is not None else None


async def adopt_term(
    term_id: UUID, code: str, name: str, description: str,
    taxonomy_id: UUID, taxonomy_name: str, taxonomy_uri: str | None,
) -> None:
    """Take a term from another system (and its taxonomy) into the directory, unless it is
    there already."""
    if not await Taxonomy.exists().where(Taxonomy.id == taxonomy_id):
        await Taxonomy(
            id=taxonomy_id, name=taxonomy_name, uri=taxonomy_uri, description=""
        ).save()
    if not await TaxonomyTerm.exists().where(TaxonomyTerm.id == term_id):
        await TaxonomyTerm(
            id=term_id, taxonomy=taxonomy_id, code=code[:100], name=name, description=description
        ).save()


async def link_services_to_term(links: Sequence[tuple[UUID, UUID]], term_id: UUID) -> None:
    """Give services a category: ``links`` are (link id, service id); known links stay."""
    present = await existing_ids("service_term", [link_id for link_id, _service in links])
    rows = [
        ServiceTerm(id=link_id, service=service_id, term=term_id)
        for link_id, service_id in links
        if link_id not in present
    ]
    if rows:
        await ServiceTerm.insert(*rows)


# How a row of each table reaches the organisation it belongs to (first non-empty path wins).
_OWNER_PATHS: dict[str, tuple[str, ...]] = {
    "location": ("organization",),
    "service": ("organization",),
    "service_at_location": ("service.organization",),
    "phone": ("organization", "service.organization", "location.organization"),
    "contact": ("organization", "service.organization"),
    **{
        table: ("service.organization",)
        for table in ("language", "cost_option", "required_document", "capacity", "translation",
                      "service_term")
    },
}


async def owners(table: str, ids: Iterable[UUID]) -> dict[UUID, UUID | None]:
    """The organisation each existing row of ``ids`` belongs to (rows not held are left out),
    so that an import can keep to the organisations it may change."""
    wanted = list(set(ids))
    if table == "organization":
        return {row_id: row_id for row_id in await existing_ids(table, wanted)}
    paths = _OWNER_PATHS.get(table)
    if paths is None:
        return {}
    cls = TABLES.tables[table]
    found: dict[UUID, UUID | None] = {}
    for start in range(0, len(wanted), row_sync.LOAD_CHUNK):
        part = wanted[start : start + row_sync.LOAD_CHUNK]
        columns = [cls._meta.get_column_by_name(path) for path in paths]
        rows = await cls.select(cls._meta.primary_key, *columns).where(
            among(cls._meta.primary_key, part)
        )
        for row in rows:
            found[row["id"]] = next((row[path] for path in paths if row[path]), None)
    return found
