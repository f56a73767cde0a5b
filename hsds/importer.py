"""``lotse hsds import``: read HSDS records from files, folders or an API into the directory.

Records stream through in batches; each batch is one transaction. A record that cannot be
read or written, or that would change an organisation the source may not maintain
(``source_trust``), is reported by its id and skipped, the rest goes on. Records are upserted
by id and what a source brought is noted with it, so a run killed midway is resumed by running
it again. With ``dry_run`` everything is checked and counted but nothing is written.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from core.db import atomic, engine
from directory import api as directory
from hsds import extension_data, review, source_trust
from hsds.bundle import Bundle, RecordError
from hsds.duplicates import Duplicate, DuplicateFinder
from hsds.reader import read_record
from hsds.schedules import schedule_children
from hsds.sources import (
    ApiSource,
    BrokenRecordError,
    Item,
    Progress,
    SourceError,
    is_url,
    iter_path,
)
from hsds.tables import DuplicateFlag
from hsds.taxonomies import ReviewEntry, TermResolver
from hsds.writer import Plan, apply_plan, bundle_changed, check_references, make_plan

KEEP = 200  # problems kept in the report; the rest are only counted
MAX_BATCH_ROWS = 20_000


@dataclass
class ImportOptions:
    dry_run: bool = False
    adopt_taxonomies: bool = False
    # The name the source is known by (its bindings); None: the path or URL as given.
    source_name: str | None = None
    batch_size: int = 250
    token: str | None = None
    progress: Progress | None = None
    transport: httpx.AsyncBaseTransport | None = None


@dataclass
class Problem:
    where: str
    message: str


@dataclass
class ImportReport:
    dry_run: bool = False
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[Problem] = field(default_factory=list)
    error_count: int = 0
    warnings: list[Problem] = field(default_factory=list)
    warning_count: int = 0
    skipped: list[str] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    review_items: int = 0
    review_links: int = 0

    def error(self, where: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < KEEP:
            self.errors.append(Problem(where, message))

    def warn(self, where: str, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < KEEP:
            self.warnings.append(Problem(where, message))

    def count(self, kind: str, outcome: str) -> None:
        self.counts[(kind, outcome)] += 1

    def total(self, outcome: str) -> int:
        return sum(n for (_kind, what), n in self.counts.items() if what == outcome)


async def _items(source: str, options: ImportOptions) -> AsyncIterator[Item]:
    if is_url(source):
        headers = {"Authorization": f"Bearer {options.token}"} if options.token else {}
        async with httpx.AsyncClient(
            headers=headers, timeout=60, transport=options.transport, follow_redirects=True
        ) as client:
            async for item in ApiSource(source, client).items(options.progress):
                yield item
        return
    for item in iter_path(Path(source), options.progress):
        yield item


@dataclass
class Outcome:
    """What one transaction did, reported once it has committed."""

    entries: dict[uuid.UUID, ReviewEntry]
    bundles: list[Bundle] = field(default_factory=list)
    failed: list[tuple[Bundle, str]] = field(default_factory=list)
    plan: Plan | None = None
    duplicates: list[Duplicate] = field(default_factory=list)
    review_items: int = 0


class ImportRun:
    def __init__(self, source: str, options: ImportOptions) -> None:
        self.source = source
        self.source_name = options.source_name or source
        self.source_id = source_trust.source_id(self.source_name)
        self.allowed: set[uuid.UUID] = set()
        self.options = options
        self.report = ImportReport(dry_run=options.dry_run)
        self.resolver = TermResolver(adopt=options.adopt_taxonomies)
        self.duplicates = DuplicateFinder()
        # In a dry run nothing is written, so later batches must learn of earlier rows here.
        self.pretend: dict[str, set[uuid.UUID]] = {}

    async def run(self) -> ImportReport:
        await self.resolver.load()
        if not self.options.dry_run:
            async with atomic():
                await source_trust.register(self.source_name)
        self.allowed = await source_trust.organizations(self.source_id)
        await self.duplicates.load(self.source_id)
        batch: list[Bundle] = []
        rows = 0
        async for item in _items(self.source, self.options):
            bundle = self._read(item)
            if bundle is None:
                continue
            batch.append(bundle)
            rows += bundle.size
            # Records differ a lot in size (an organisation may bring hundreds of locations).
            if len(batch) >= self.options.batch_size or rows >= MAX_BATCH_ROWS:
                await self.write(batch)
                batch, rows = [], 0
        if batch:
            await self.write(batch)
        return self.report

    def _read(self, item: Item) -> Bundle | None:
        if isinstance(item.doc, SourceError):
            self.report.skipped.append(str(item.doc))
            return None
        if isinstance(item.doc, BrokenRecordError):
            self.report.error(item.where, str(item.doc))
            self.report.count(item.hint or "record", "failed")
            return None
        where = item.where
        if isinstance(item.doc, dict) and isinstance(item.doc.get("id"), str | int):
            where = f"{item.where} (id {str(item.doc['id'])[:100]})"
        try:
            bundle = read_record(item.doc, item.hint)
        except RecordError as error:
            self.report.error(where, str(error))
            self.report.count(item.hint or "record", "failed")
            return None
        except (ValueError, TypeError, ArithmeticError, RecursionError) as error:
            # A shape no rule foresaw is still one record's fault, not the import's end.
            self.report.error(where, f"cannot be read ({type(error).__name__})")
            self.report.count(item.hint or "record", "failed")
            return None
        bundle.label = f"{item.where} (id {bundle.record_id}, {bundle.label[:100]})"
        schedule_children(bundle)
        return bundle

    async def write(self, bundles: list[Bundle]) -> None:
        entries: dict[uuid.UUID, ReviewEntry] = {}
        term_ids = [link.term_id for b in bundles for ls in b.term_sets.values() for link in ls]
        term_ids += [u.row["id"] for b in bundles for u in b.upserts if u.table == "taxonomy_term"]
        await review.load_decisions(self.resolver, term_ids)
        for bundle in bundles:
            self.resolver.settle_bundle(bundle, entries)
        self.resolver.finish_parents(bundles)
        try:
            async with self._transaction():
                outcome = await self._write(bundles, entries)
        except Exception as error:  # a record broke the batch: find it by writing one by one
            if len(bundles) == 1:
                self._failed(bundles[0], f"could not be written ({type(error).__name__}: {error})")
                return
            for bundle in bundles:
                mine = {k: e for k, e in entries.items() if self._concerns(e, bundle)}
                try:
                    async with self._transaction():
                        single = await self._write([bundle], mine)
                except Exception as failure:
                    self._failed(
                        bundle, f"could not be written ({type(failure).__name__}: {failure})"
                    )
                else:
                    self._report(single)
            return
        self._report(outcome)

    def _transaction(self) -> Any:
        """The batch's transaction: the write lock when writing, a snapshot for a dry run.

        Reads of the plan run on the same connection, so they see exactly what is changed.
        """
        return engine().transaction() if self.options.dry_run else atomic()

    @staticmethod
    def _concerns(entry: ReviewEntry, bundle: Bundle) -> bool:
        services = set(bundle.term_sets)
        return not entry.links or any(service in services for service, _a in entry.links)

    def _failed(self, bundle: Bundle, message: str) -> None:
        self.report.error(bundle.label, message)
        self.report.count(bundle.kind, "failed")

    async def _write(self, bundles: list[Bundle], entries: dict[uuid.UUID, ReviewEntry]) -> Outcome:
        outcome = Outcome(entries=entries)
        problems = await check_references(bundles, self.pretend)
        foreign = await source_trust.foreign_organizations(bundles, self.allowed)
        problems = {**foreign, **problems}
        for index, bundle in enumerate(bundles):
            if index in problems:
                outcome.failed.append((bundle, problems[index]))
            else:
                outcome.bundles.append(bundle)
        if not outcome.bundles:
            return outcome
        outcome.plan = plan = await make_plan(outcome.bundles)
        created_services = {row_id for table, row_id in plan.created if table == "service"}
        found = await self.duplicates.find(outcome.bundles, created_services)
        outcome.duplicates = await self.duplicates.unflagged(found)
        if not self.options.dry_run:
            await apply_plan(plan)
            created_orgs = {row_id for table, row_id in plan.created if table == "organization"}
            await source_trust.bind(self.source_id, created_orgs, created=True)
            await source_trust.remember(self.source_id, _imported_keys(outcome.bundles))
            await extension_data.save(
                (kept for bundle in outcome.bundles for kept in bundle.originals),
                self.source_name,
            )
            outcome.review_items = await review.record(
                entries, {s for b in outcome.bundles for s in b.term_sets}, self.source
            )
            await self._flag(outcome.duplicates)
            await self._publish(outcome.bundles, plan)
        return outcome

    def _report(self, outcome: Outcome) -> None:
        """Count what a committed (or, in a dry run, planned) batch did."""
        for bundle, message in outcome.failed:
            self._failed(bundle, message)
        if outcome.plan is None:
            return
        if self.options.dry_run:
            for table, row_id in outcome.plan.created:
                self.pretend.setdefault(table, set()).add(row_id)
        else:
            self.allowed |= {row_id for table, row_id in outcome.plan.created
                             if table == "organization"}
        self.report.review_items += outcome.review_items
        self.report.review_links += sum(len(e.links) for e in outcome.entries.values())
        found = outcome.duplicates
        self.report.duplicates.extend(found[: max(0, KEEP - len(self.report.duplicates))])
        self._tally(outcome.bundles, outcome.plan)

    async def _flag(self, found: list[Duplicate]) -> None:
        rows = [
            DuplicateFlag(
                service=d.service_id,
                existing_service=d.existing_id,
                reason=d.reason,
                score=d.score,
                source=self.source[:1000],
            )
            for d in found
        ]
        if rows:
            await DuplicateFlag.insert(*rows)

    @staticmethod
    async def _publish(bundles: list[Bundle], plan: Plan) -> None:
        """Tell the search index (and anyone else listening) what changed."""
        changed = plan.changed
        services = {row_id for table, row_id in changed if table == "service"}
        services |= {parent for column, parent in plan.touched if column == "service"}
        for bundle in bundles:
            if bundle_changed(bundle, plan):
                services.update(row["id"] for row in bundle.upserted("service"))
        locations = {row_id for table, row_id in changed if table == "location"}
        locations |= {parent for column, parent in plan.touched if column == "location"}
        organizations = {row_id for table, row_id in changed if table == "organization"}
        # A place or organisation created now has no offers but those this import announces
        # itself: announcing it too would index each of them two or three times.
        created = plan.created
        locations = {row_id for row_id in locations if ("location", row_id) not in created}
        organizations = {
            row_id for row_id in organizations if ("organization", row_id) not in created
        }
        await directory.announce_imported_changes(services, locations, organizations)

    def _tally(self, bundles: list[Bundle], plan: Plan) -> None:
        for bundle in bundles:
            for warning in bundle.warnings:
                self.report.warn(bundle.label, warning)
            if not bundle.upserts and not bundle.children:
                self.report.count(bundle.kind, "skipped")
            elif (bundle.kind, bundle.record_id) in plan.created:
                self.report.count(bundle.kind, "created")
            elif bundle_changed(bundle, plan):
                self.report.count(bundle.kind, "updated")
            else:
                self.report.count(bundle.kind, "unchanged")


def _imported_keys(bundles: list[Bundle]) -> set[tuple[str, uuid.UUID]]:
    """The records a batch brought, by kind and HSDS id (nested ones included)."""
    keys = {(bundle.kind, bundle.record_id) for bundle in bundles}
    for bundle in bundles:
        keys |= {
            (item.table, item.row["id"])
            for item in bundle.upserts
            if item.table in {"organization", "service", "location"}
        }
    return keys


async def import_source(source: str, options: ImportOptions | None = None) -> ImportReport:
    return await ImportRun(source, options or ImportOptions()).run()
