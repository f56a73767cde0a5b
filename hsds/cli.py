"""`lotse hsds ...`: export, import, validate, and the review list of imports."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()
T = TypeVar("T")
PLURALS = {
    "taxonomy": "taxonomies",
    "taxonomy_term": "taxonomy terms",
    "organization": "organizations",
    "service": "services",
}


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


@click.group(help="Open Referral HSDS 3.1: export, import and check directory data.")
def hsds() -> None:
    pass


@hsds.command("export", help="Write the whole directory as HSDS 3.1 JSON (and CSV) into DIR.")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-csv", is_flag=True, help="Leave out the tabular (CSV) form.")
def export_command(folder: Path, no_csv: bool) -> None:
    from hsds.export import export_directory

    with _progress() as progress:
        tasks: dict[str, Any] = {}

        def step(kind: str, done: int, total: int) -> None:
            if kind not in tasks:
                tasks[kind] = progress.add_task(PLURALS.get(kind, kind), total=total)
            progress.update(tasks[kind], completed=done, total=total)

        summary = _run(export_directory(folder, tabular=not no_csv, progress=step))
    counts = ", ".join(f"{n} {PLURALS.get(kind, kind)}" for kind, n in summary.counts.items())
    console.print(f"Exported {counts} to {folder}.")


@hsds.command("import", help="Read HSDS 3.x records from a file, a folder or an HSDS API URL.")
@click.argument("source")
@click.option("--dry-run", is_flag=True, help="Check and count everything, write nothing.")
@click.option(
    "--adopt-taxonomies",
    is_flag=True,
    help="Take unknown taxonomies into Lotse instead of the review list.",
)
@click.option(
    "--token",
    envvar="LOTSE_HSDS_TOKEN",
    default=None,
    help="Bearer token for an HSDS API that needs one (or LOTSE_HSDS_TOKEN).",
)
@click.option(
    "--batch-size",
    default=250,
    show_default=True,
    type=click.IntRange(1, 5000),
    help="Records per transaction.",
)
@click.option(
    "--source",
    "source_name",
    default=None,
    help="The name the source is known by (see `lotse hsds sources`); default: SOURCE as given.",
)
def import_command(
    source: str,
    dry_run: bool,
    adopt_taxonomies: bool,
    token: str | None,
    batch_size: int,
    source_name: str | None,
) -> None:
    from hsds.importer import ImportOptions, import_source
    from hsds.sources import SourceError

    with _progress() as progress:
        task = progress.add_task("Reading (bytes)", total=None)

        def step(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        options = ImportOptions(
            dry_run=dry_run,
            adopt_taxonomies=adopt_taxonomies,
            token=token,
            batch_size=batch_size,
            progress=step,
            source_name=source_name,
        )
        try:
            report = _run(import_source(source, options))
        except SourceError as error:
            raise click.ClickException(str(error)) from error
    table = Table(title="Dry run: nothing was written" if dry_run else "Import")
    for column in ("record", "created", "updated", "unchanged", "skipped", "failed"):
        table.add_column(column, justify="left" if column == "record" else "right")
    for kind in sorted({kind for kind, _ in report.counts}):
        table.add_row(
            kind,
            *(
                str(report.counts[(kind, outcome)])
                for outcome in ("created", "updated", "unchanged", "skipped", "failed")
            ),
        )
    console.print(table)
    for note in report.skipped:
        console.print(f"[yellow]skipped[/] {note}")
    for problem in report.errors:
        console.print(f"[red]error[/] {problem.where}: {problem.message}")
    if report.error_count > len(report.errors):
        console.print(f"... and {report.error_count - len(report.errors)} more errors")
    for problem in report.warnings[:10]:
        console.print(f"[yellow]warning[/] {problem.where}: {problem.message}")
    if report.warning_count:
        console.print(
            f"{report.warning_count} warnings in all (data Lotse adjusted or cannot keep)."
        )
    for duplicate in report.duplicates:
        console.print(
            f"[yellow]probable duplicate[/] {duplicate.service_name!r} "
            f"({duplicate.service_id}) ~ {duplicate.existing_name!r} "
            f"({duplicate.existing_id}): {duplicate.reason}"
        )
    if report.review_links:
        console.print(
            f"{report.review_links} taxonomy terms on offers are not known here; "
            "see `lotse hsds review list`."
        )
    if report.error_count:
        # Scripts and schedulers must see that records were left out. Exiting skips `lotse`'s
        # own delivery after a command, so what the other records changed is delivered here.
        from outbox.dispatcher import drain_with_duty
        from search.api import close_index
        from settings import get_settings

        settings = get_settings()
        if not dry_run and settings.run_dispatcher:
            _run(drain_with_duty(settings.data_dir, close_index))
        console.print(f"[red]{report.error_count} records failed[/]; the others were imported.")
        raise SystemExit(1)


@hsds.group("sources", help="Import sources and the organisations each may maintain.")
def sources() -> None:
    pass


@sources.command("list", help="List the sources with their organisations.")
def sources_list() -> None:
    from hsds.source_trust import list_sources

    found = _run(list_sources())
    table = Table(title=f"{len(found)} import sources")
    for column in ("source", "allowed organisations", "created by it", "records"):
        table.add_column(column)
    for source in found:
        table.add_row(
            source.name,
            "\n".join(str(org) for org in source.allowed) or "-",
            str(len(source.created)),
            str(source.records),
        )
    console.print(table)


def _bindings(action: Coroutine[Any, Any, int], done: str) -> None:
    from hsds.source_trust import SourceTrustError

    try:
        count = _run(action)
    except SourceTrustError as error:
        raise click.ClickException(str(error)) from error
    console.print(done.format(count))


@sources.command("allow", help="Let SOURCE create and change the records of ORGANIZATION_IDs.")
@click.argument("source")
@click.argument("organization_ids", nargs=-1, required=True, type=click.UUID)
def sources_allow(source: str, organization_ids: tuple[Any, ...]) -> None:
    from hsds.source_trust import allow

    _bindings(allow(source, organization_ids), "{} organisations allowed for " + source + ".")


@sources.command("revoke", help="Take ORGANIZATION_IDs away from SOURCE.")
@click.argument("source")
@click.argument("organization_ids", nargs=-1, required=True, type=click.UUID)
def sources_revoke(source: str, organization_ids: tuple[Any, ...]) -> None:
    from hsds.source_trust import revoke

    _bindings(revoke(source, organization_ids), "{} organisations taken from " + source + ".")


@hsds.command("validate", help="Check HSDS JSON files (or an export folder) against the schemas.")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def validate_command(path: Path) -> None:
    from hsds import schema
    from hsds.bundle import detect_kind
    from hsds.sources import SourceError, iter_path

    if not schema.schema_dir_available():
        raise click.ClickException(
            f"No HSDS schemas in {schema.schema_dir()}; set LOTSE_HSDS_SCHEMA_DIR to their folder."
        )
    checked = invalid = 0
    try:
        for item in iter_path(path):
            if isinstance(item.doc, SourceError):
                console.print(f"[yellow]skipped[/] {item.doc}")
                continue
            kind = detect_kind(item.doc, item.hint) if isinstance(item.doc, dict) else None
            if kind is None:
                console.print(f"[red]{item.where}[/]: not an HSDS record")
                invalid += 1
                continue
            checked += 1
            errors = schema.record_errors(kind, item.doc)
            if errors:
                invalid += 1
                for error in errors[:10]:
                    console.print(f"[red]{item.where}[/] ({kind}) {error}")
    except SourceError as error:
        raise click.ClickException(str(error)) from error
    console.print(f"{checked} records checked, {invalid} invalid.")
    if invalid:
        raise SystemExit(1)


@hsds.group("review", help="Taxonomy terms from imports that Lotse does not know.")
def review() -> None:
    pass


@review.command("list", help="List the open review items.")
def review_list() -> None:
    from hsds.review import open_items

    items = _run(open_items())
    table = Table(title=f"{len(items)} open review items")
    for column in ("id", "taxonomy", "code", "name", "offers"):
        table.add_column(column)
    for item in items:
        table.add_row(
            str(item["id"]), item["taxonomy_name"], item["code"], item["name"], str(item["offers"])
        )
    console.print(table)


def _decide(action: Coroutine[Any, Any, Any], done: str) -> None:
    from hsds.review import ReviewError

    try:
        result = _run(action)
    except ReviewError as error:
        raise click.ClickException(str(error)) from error
    console.print(done.format(result))


@review.command("map", help="Map an item onto the Lotse term with CODE (now and in later imports).")
@click.argument("item")
@click.argument("code")
def review_map(item: str, code: str) -> None:
    from hsds.review import map_item

    _decide(map_item(item, code), "Mapped; {} offers linked to " + code + ".")


@review.command("adopt", help="Take an item's term (and its taxonomy) into Lotse.")
@click.argument("item")
def review_adopt(item: str) -> None:
    from hsds.review import adopt_item

    _decide(adopt_item(item), "Adopted; {} offers linked.")


@review.command("dismiss", help="Ignore an item's term (now and in later imports).")
@click.argument("item")
def review_dismiss(item: str) -> None:
    from hsds.review import dismiss_item

    _decide(dismiss_item(item), "Dismissed.")


@hsds.command("duplicates", help="List offers an import flagged as probable duplicates.")
def duplicates() -> None:
    from hsds.review import open_duplicates

    rows = _run(open_duplicates())
    table = Table(title=f"{len(rows)} probable duplicates")
    for column in ("imported", "existing", "reason", "score"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            f"{row['service.name']} ({row['service']})",
            f"{row['existing_service.name']} ({row['existing_service']})",
            row["reason"],
            f"{row['score']:.2f}",
        )
    console.print(table)


COMMANDS: list[click.Command] = [hsds]
