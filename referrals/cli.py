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


@referrals.command(help="Recompute the analysis' monthly counts from the referral tables: the "
                   "months named (YYYY-MM), or every month. Safe to repeat and to run while "
                   "Lotse runs.")
@click.option("--month", "months", multiple=True, metavar="YYYY-MM",
              help="A month to rebuild (repeatable); none: every month.")
def figures(months: tuple[str, ...]) -> None:
    from referrals.monthly import month_bounds, rebuild

    for month in months:
        try:
            month_bounds(month)
        except ValueError:
            raise click.BadParameter(f"{month!r} is not a month; write it as YYYY-MM, "
                                     "e.g. 2026-03.", param_hint="--month") from None
    written = asyncio.run(rebuild(months or None))
    console.print(f"Rebuilt {len(written)} months ({sum(written.values())} counts).")


COMMANDS: list[click.Command] = [referrals, clients]
