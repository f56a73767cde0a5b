"""The commands of operations (backup, restore, keys)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from core.commands import console, run


def _size(folder: Path) -> str:
    total = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    return f"{total / 1_000_000:.1f} MB"


@click.command(help="Write a consistent snapshot of the database, the key store (separately) "
                    "and a manifest to the new folder DIR; Lotse may keep running.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup(directory: Path) -> None:
    from operations.backup import BackupError, take_backup

    # Only reads: the outbox is left to the running application (it may be busy).
    click.get_current_context().meta["lotse.wrote_nothing"] = True
    started = time.monotonic()
    try:
        manifest = run(take_backup(directory))
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    console.print(
        f"Backup written to {directory.resolve()} in {time.monotonic() - started:.1f} s "
        f"({_size(directory)}): {sum(manifest.counts.values())} rows in "
        f"{len(manifest.counts)} tables; {manifest.keys.keys} client keys in keys.sqlite.\n"
        f"Audit head: {manifest.audit.head_hash} ({manifest.audit.entries} entries)."
    )


@click.command(help="Restore the backup in DIR into an empty database, check it against its "
                    "manifest and rebuild the search index.")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--without-keys", is_flag=True,
              help="Restore without the key store: clients' personal data stays unreadable "
                   "(for a backup whose key-store snapshot is past its retention).")
def restore(directory: Path, without_keys: bool) -> None:
    from operations.manifest import ManifestError
    from operations.restore import RestoreError
    from operations.restore import restore as restore_backup

    started = time.monotonic()
    try:
        report = run(restore_backup(directory, without_keys=without_keys))
    except (RestoreError, ManifestError) as error:
        raise click.ClickException(f"Restore refused: {error}") from error
    keys = {
        "restored": f"{report.keys} client keys restored from the backup",
        "kept": f"the key store present kept ({report.keys} client keys)",
        "none": "no client keys (personal data of clients is unreadable)",
    }[report.keys_source]
    console.print(
        f"Restored in {time.monotonic() - started:.1f} s: {report.rows} rows in "
        f"{report.tables} tables, counts as recorded; audit log intact up to "
        f"{report.head_hash} ({report.audit_entries} entries); {keys}; "
        f"{report.erased_again} clients erased after the backup erased again, "
        f"{report.keys_destroyed} keys of erased or unknown clients destroyed; "
        f"search index rebuilt with {report.offers_indexed} offers "
        f"(database {report.load_seconds:.1f} s, index {report.index_seconds:.1f} s)."
    )


@click.command("backup-prune",
               help="Destroy key-store snapshots older than LOTSE_KEY_BACKUP_DAYS in the backup "
                    "folders under ROOT, and the keys of clients erased since in the younger ones.")
@click.argument("root", type=click.Path(exists=True, file_okay=False, path_type=Path))
def backup_prune(root: Path) -> None:
    from operations.backup_retention import prune

    report = run(prune(root))
    for folder in report.destroyed:
        console.print(f"{folder}: key-store snapshot past its retention destroyed.")
    for folder, count in report.forgotten.items():
        console.print(f"{folder}: keys of {count} erased clients destroyed.")
    if not report.destroyed and not report.forgotten:
        console.print("Nothing to destroy.")


@click.group(help="The master key that wraps the client keys.")
def keys() -> None:
    pass


@keys.command(help="Re-wrap every client key under LOTSE_MASTER_KEY; the old key is "
                   "LOTSE_MASTER_KEY_PREVIOUS. Safe while Lotse runs; run again after a crash.")
@click.option("--batch-size", default=200, show_default=True,
              type=click.IntRange(1, 10_000), help="Keys per transaction.")
def rotate(batch_size: int) -> None:
    from clients import api as clients

    seen = 0

    def progress(count: int) -> None:
        nonlocal seen
        seen += count
        console.print(f"checked {seen} keys", highlight=False)

    report = run(clients.rotate_keys(batch_size, progress))
    console.print(f"Re-wrapped {report.rotated} client keys under the current master key.")
    if report.remaining:
        raise click.ClickException(
            f"{report.remaining} client keys are not under the current master key "
            f"({report.unknown} under a key that is neither LOTSE_MASTER_KEY nor "
            f"LOTSE_MASTER_KEY_PREVIOUS); run again once every process uses the new key."
        )
    console.print("Every client key is under the current master key: remove "
                  "LOTSE_MASTER_KEY_PREVIOUS and restart Lotse.", soft_wrap=True)


@keys.command(help="How many client keys each master key wraps.")
def status() -> None:
    from clients import api as clients

    counts = run(clients.key_status())
    console.print(f"current master key: {counts.current}\n"
                  f"previous master key: {counts.previous}\n"
                  f"other (unknown) keys: {counts.unknown}")


COMMANDS: list[click.Command] = [backup, restore, backup_prune, keys]
