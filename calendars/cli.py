"""`lotse calendars ...`: demo schedules and polling subscribed calendars."""

from __future__ import annotations

import asyncio

import click
from rich.console import Console

console = Console()


@click.group(help="Opening hours, course dates and calendar feeds.")
def calendars() -> None:
    pass


@calendars.command("demo", help="Give every demo offer without schedules its hours or dates.")
def demo() -> None:
    from calendars.demo import load_demo_schedules
    summary = asyncio.run(load_demo_schedules())
    console.print(
        f"Schedules for {summary.offers} offers: {summary.rules} rules, "
        f"{summary.exceptions} closures, {summary.slots} bookable slots "
        f"({summary.skipped} offers had schedules already)."
    )


@calendars.command("poll", help="Read the subscribed calendars that are due.")
@click.option("--loop", is_flag=True, help="Keep polling (for worker processes).")
def poll(loop: bool) -> None:
    from calendars.lifecycle import poll_forever
    from calendars.subscriptions import poll_due
    if loop:
        console.print("Polling subscribed calendars; stop with Ctrl+C.")
        try:
            asyncio.run(poll_forever())
        except KeyboardInterrupt:
            return
    outcomes = asyncio.run(poll_due())
    failed = [o for o in outcomes if o.error]
    console.print(f"Read {len(outcomes)} calendars, {len(failed)} failed.")


COMMANDS: list[click.Command] = [calendars]
