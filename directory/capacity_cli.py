"""Commands `lotse capacity-links` and `lotse capacity-reminders` (listed in directory.cli)."""

from __future__ import annotations

from uuid import UUID

import click
from rich.console import Console

console = Console()


@click.command("capacity-links",
               help="Print a signed one-click capacity link for every offer of an organisation.")
@click.option("--organization", "organization_id", required=True, type=click.UUID)
@click.option("--user", "email", default=None,
              help="E-mail of the staff member the links are for (changes are stamped with them).")
def capacity_links_command(organization_id: UUID, email: str | None) -> None:
    from accounts.users import find_user_id
    from core.commands import run
    from directory.reminders import capacity_links

    user_id = None
    if email:
        user_id = run(find_user_id(email))
        if user_id is None:
            raise click.ClickException(f"No user with the e-mail {email}")
    links = run(capacity_links(organization_id, user_id))
    if not links:
        raise click.ClickException("This organisation has no active offers (or does not exist).")
    for link in links:
        click.echo(f"{link.service_name}\t{link.url}")


@click.command("capacity-reminders",
               help="E-mail every provider staff member a capacity link per offer of their "
                    "organisation.")
@click.option("--organization", "organization_id", default=None, type=click.UUID,
              help="Only this organisation (default: all).")
def capacity_reminders_command(organization_id: UUID | None) -> None:
    from core.commands import run
    from directory.reminders import send_capacity_reminders

    sent = run(send_capacity_reminders(organization_id))
    console.print(f"Sent {sent} reminder e-mails.")


CAPACITY_COMMANDS: list[click.Command] = [capacity_links_command, capacity_reminders_command]
