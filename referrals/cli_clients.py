"""`lotse clients ...`: the retention run and key clean-up, for cron or a separate worker."""

from __future__ import annotations

import asyncio

import click
from rich.console import Console

console = Console()


@click.group(help="Clients: retention of closed cases and their keys.")
def clients() -> None:
    pass


@clients.command(help="Erase clients whose cases closed longer ago than the retention period.")
@click.option(
    "--days",
    type=click.IntRange(1, 36500),
    default=None,
    help="Retention in days (default: LOTSE_RETENTION_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="Only count the clients that are due.")
def retention(days: int | None, dry_run: bool) -> None:
    from referrals.retention import run_retention

    report = asyncio.run(run_retention(days, dry_run=dry_run))
    if dry_run:
        console.print(f"{len(report.due)} clients are due for erasure (nothing changed).")
        return
    console.print(
        f"Erased {len(report.erased)} of {len(report.due)} due clients; "
        f"{len(report.failed)} left for the next run; "
        f"{report.orphan_keys_destroyed} orphaned keys destroyed."
    )


COMMANDS: list[click.Command] = [clients]
