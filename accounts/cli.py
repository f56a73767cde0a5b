"""`lotse users reset-link | add-role | deactivate`: added to the `users` group of the root CLI."""

from __future__ import annotations

from uuid import UUID

import click

from accounts.cli_audit import audit
from accounts.roles import ROLES
from cli import console, run, users

# The user commands join the existing `lotse users` group; `lotse audit` is a group of its own.
COMMANDS: list[click.Command] = [audit]


@users.command("reset-link", help="Print a link where the user sets a new password "
                                  "(valid three days, usable once).")
@click.option("--email", required=True, help="E-mail of the user.")
def reset_link(email: str) -> None:
    from accounts.management import find_member_id
    from accounts.password_links import issue_link
    from core.errors import ReadableError

    async def make() -> str:
        link = await issue_link(await find_member_id(email))
        return link.link

    try:
        click.echo(run(make()))
    except ReadableError as error:
        raise click.ClickException(str(error)) from error


@users.command("add-role", help="Give a user a role in an organisation.")
@click.option("--email", required=True, help="E-mail of the user.")
@click.option("--organization", "organization_id", required=True, type=click.UUID)
@click.option("--role", required=True, type=click.Choice(ROLES))
def add_role(email: str, organization_id: UUID, role: str) -> None:
    from accounts.management import add_membership, find_member_id
    from core.errors import ReadableError

    async def add() -> str:
        membership = await add_membership(await find_member_id(email), organization_id, role)
        return membership.organization_name

    try:
        organization = run(add())
    except ReadableError as error:
        raise click.ClickException(str(error)) from error
    console.print(f"{email} is now {role} at {organization}.")


@users.command("deactivate", help="Deactivate a user: ends their sessions, revokes their tokens.")
@click.option("--email", required=True, help="E-mail of the user.")
def deactivate(email: str) -> None:
    from accounts.management import find_member_id, update_member
    from core.errors import ReadableError

    async def deactivate_member() -> None:
        await update_member(await find_member_id(email), actor_id=None, is_active=False)

    try:
        run(deactivate_member())
    except ReadableError as error:
        raise click.ClickException(str(error)) from error
    console.print(f"Deactivated {email}.")
