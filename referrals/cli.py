"""`lotse referrals ...`: the periodic deadline check, for cron or a separate worker."""

from __future__ import annotations

import asyncio

import click
from rich.console import Console

from referrals.cli_clients import clients

console = Console()


@click.group(help="Referral exchange: deadlines and waitlist offers.")
def referrals() -> None:
    pass


@referrals.command(help="Send due reminders, expire overdue referrals, pass on lapsed places.")
def tick() -> None:
    from referrals.jobs import tick as run_tick

    report = asyncio.run(run_tick())
    console.print(
        f"Reminded {report.reminded}, expired {report.expired}, "
        f"passed on {report.lapsed} lapsed place offers."
    )


COMMANDS: list[click.Command] = [referrals, clients]
