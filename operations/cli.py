"""The commands of operations (backup, restore, keys)."""

from __future__ import annotations

import click

from core.commands import console, run


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


COMMANDS: list[click.Command] = [keys]
