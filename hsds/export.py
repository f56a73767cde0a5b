"""``lotse hsds export DIR``: the whole directory as HSDS 3.1 JSON and CSV files.

``services.json`` and ``organizations.json`` hold one full record per line inside a JSON
array, ``taxonomies.json``/``taxonomy_terms.json`` the taxonomies; ``csv/`` holds the tabular
form with its ``datapackage.json`` (the HSDS tabular serialization). Records are read in
pages by id, so memory stays flat however large the directory is, and the output is
byte-identical for identical data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import msgspec

from core.db import engine
from directory import api as directory
from hsds import datapackage
from hsds.mapping import Doc
from hsds.queries import TaxonomyCache, organization_docs, service_docs
from hsds.tabular import TabularWriter

PAGE = 1000
# Organisation records carry all their locations: fewer per page keeps memory flat.
ORGANIZATION_PAGE = 50
FILES = ("taxonomies.json", "taxonomy_terms.json", "organizations.json", "services.json")

Progress = Callable[[str, int, int], None]


@dataclass
class ExportSummary:
    folder: Path
    counts: dict[str, int] = field(default_factory=dict)


def _prepare(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)


class JsonArrayWriter:
    """A JSON array written one record per line, so that it streams both ways."""

    def __init__(self, path: Path) -> None:
        self.handle: IO[bytes] = path.open("wb")
        self.handle.write(b"[")
        self.first = True
        self.encoder = msgspec.json.Encoder()

    def write(self, doc: Doc) -> None:
        self.handle.write(b"\n" if self.first else b",\n")
        self.handle.write(self.encoder.encode(doc))
        self.first = False

    def close(self) -> None:
        self.handle.write(b"\n]\n")
        self.handle.close()


async def export_directory(
    folder: Path, *, tabular: bool = True, progress: Progress | None = None
) -> ExportSummary:
    _prepare(folder)
    summary = ExportSummary(folder)
    csv = TabularWriter(folder / "csv") if tabular else None
    # One read transaction: a consistent snapshot, and one connection for every query.
    async with engine().transaction():
        await _write_all(folder, csv, summary, progress)
    if tabular:
        datapackage.write(folder / "csv")
    return summary


async def _write_all(
    folder: Path, csv: TabularWriter | None, summary: ExportSummary, progress: Progress | None
) -> None:
    taxonomy = await TaxonomyCache().load()
    try:
        for name, kind, docs in (
            ("taxonomies.json", "taxonomy", taxonomy.taxonomy_docs(with_lotse=True)),
            ("taxonomy_terms.json", "taxonomy_term", taxonomy.term_docs(with_lotse=True)),
        ):
            writer = JsonArrayWriter(folder / name)
            for doc in docs:
                writer.write(doc)
                if csv:
                    csv.write(kind, doc)
            writer.close()
            summary.counts[kind] = len(docs)
        await _records(
            folder / "organizations.json",
            "organization",
            csv,
            summary,
            progress,
            lambda rows: organization_docs(rows),
            page=ORGANIZATION_PAGE,
        )
        await _records(
            folder / "services.json",
            "service",
            csv,
            summary,
            progress,
            lambda rows: service_docs(rows, taxonomy=taxonomy),
        )
    finally:
        if csv:
            csv.close()


async def _records(
    path: Path,
    kind: directory.ListingKind,
    csv: TabularWriter | None,
    summary: ExportSummary,
    progress: Progress | None,
    build: Callable[[list[Any]], Awaitable[list[Doc]]],
    page: int = PAGE,
) -> None:
    everything = directory.ListingFilter()
    total = await directory.listing_count(kind, everything)
    done = 0
    writer = JsonArrayWriter(path)
    try:
        async for records in directory.listing_batches(kind, everything, page):
            for doc in await build(records):
                writer.write(doc)
                if csv:
                    csv.write(kind, doc)
            done += len(records)
            if progress:
                progress(kind, done, total)
    finally:
        writer.close()
    summary.counts[kind] = done
