"""Command-line commands of the directory: demo data and capacity links and reminders."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from directory.capacity_cli import CAPACITY_COMMANDS

console = Console()


@click.command(help="Load the demo network of Mülheim an der Ruhr into an empty database.")
def demo() -> None:
    from cli import run
    from directory.demo import DemoRefusedError, load_demo
    from domains import load_demos

    try:
        summary = run(load_demo())
    except DemoRefusedError as error:
        raise click.ClickException(str(error)) from error
    run(load_demos())
    if summary.already_loaded:
        console.print("The demo network is already loaded; nothing to do.")
    else:
        console.print(
            f"Loaded the demo network in {summary.seconds:.1f} s: "
            f"{summary.organizations} organisations, {summary.locations} locations, "
            f"{summary.offers} offers ({summary.capacities} with capacity, "
            f"{summary.translations} translations), {summary.taxonomy_terms} taxonomy terms, "
            f"{summary.users} users."
        )
    logins = Table(title=f"Demo logins (password: {summary.logins[0].password})")
    # E-mail and role must stay readable in a narrow terminal: only the names may wrap.
    logins.add_column("e-mail", no_wrap=True)
    logins.add_column("name")
    logins.add_column("role", no_wrap=True)
    logins.add_column("organisation")
    for login in summary.logins:
        logins.add_row(login.email, login.display_name, login.role, login.organization)
    console.print(logins)


COMMANDS: list[click.Command] = [demo, *CAPACITY_COMMANDS]
