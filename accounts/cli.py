"""`lotse users ...` (create, list, reset-link, add-role, deactivate), `lotse token` and
`lotse audit`."""

from __future__ import annotations

from uuid import UUID

import click

from accounts.cli_audit import audit
from accounts.roles import ROLES
from core.commands import console, run


@click.group(help="Manage users.")
def users() -> None:
    pass


@users.command("create", help="Create a user with one membership.")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--organization", "organization_id", required=True, type=click.UUID)
@click.option("--role", required=True,
              type=click.Choice(ROLES))
@click.password_option(envvar="LOTSE_NEW_PASSWORD")
def users_create(email: str, display_name: str, organization_id: UUID, role: str,
                 password: str) -> None:
    from accounts import api as accounts

    try:
        user_id = run(accounts.create_user(email, display_name, password,
                                           [(organization_id, role)]))
    except accounts.UserError as error:
        raise click.ClickException(str(error)) from error
    console.print(f"Created user {email} ({user_id}).")


@users.command("list", help="List users with their roles.")
def users_list() -> None:
    from accounts import api as accounts

    for membership in run(accounts.list_memberships()):
        console.print(f"{membership.email}\t{membership.role}\t{membership.organization_name}")


@click.command(help="Print a new API token for a user (shown once).")
@click.option("--user", "email", required=True, help="E-mail of the user.")
@click.option("--name", default="cli", help="A label for the token.")
def token(email: str, name: str) -> None:
    from accounts import api as accounts

    user_id = run(accounts.find_user_id(email))
    if user_id is None:
        raise click.ClickException(f"No user with the e-mail {email}")
    click.echo(run(accounts.issue_api_token(user_id, name)))


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


COMMANDS: list[click.Command] = [users, token, audit]
