"""`lotse users ...` (create, list, reset-link, add-role, grant-admin, revoke-tokens,
deactivate), `lotse token` and `lotse audit`.

Every change made here is audited like one made on the pages, with "cli" as its door.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar
from uuid import UUID

import click

from accounts.cli_audit import audit
from accounts.roles import ROLES
from core.commands import console, run

T = TypeVar("T")


def _run_refusable(work: Coroutine[Any, Any, T]) -> T:
    """Runs `work`; a refusal becomes the command's error message."""
    from core.errors import ReadableError

    try:
        return run(work)
    except ReadableError as error:
        raise click.ClickException(str(error)) from error


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
    from accounts.admin_audit import CLI
    from accounts.users import UserError, create_user

    try:
        user_id = run(create_user(email, display_name, password, [(organization_id, role)],
                                  by=CLI))
    except UserError as error:
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
    from accounts.admin_audit import CLI
    from accounts.credentials import issue_token
    from accounts.users import find_user_id

    user_id = run(find_user_id(email))
    if user_id is None:
        raise click.ClickException(f"No user with the e-mail {email}")
    click.echo(run(issue_token(user_id, name, CLI))[1])


@users.command("reset-link", help="Print a link where the user sets a new password "
                                  "(valid three days, usable once).")
@click.option("--email", required=True, help="E-mail of the user.")
def reset_link(email: str) -> None:
    from accounts.admin_audit import CLI
    from accounts.management import find_member_id
    from accounts.password_links import issue_link

    async def make() -> str:
        link = await issue_link(await find_member_id(email), CLI)
        return link.link

    click.echo(_run_refusable(make()))


@users.command("add-role", help="Give a user a role in an organisation.")
@click.option("--email", required=True, help="E-mail of the user.")
@click.option("--organization", "organization_id", required=True, type=click.UUID)
@click.option("--role", required=True, type=click.Choice(ROLES))
def add_role(email: str, organization_id: UUID, role: str) -> None:
    from accounts.admin_audit import CLI
    from accounts.management import add_membership, find_member_id

    async def add() -> str:
        membership = await add_membership(await find_member_id(email), organization_id, role,
                                          CLI)
        return membership.organization_name

    organization = _run_refusable(add())
    console.print(f"{email} is now {role} at {organization}.")


@users.command("grant-admin", help="Make a user network administrator again: reactivates the "
                                   "account and turns their role in the organisation into "
                                   "network_admin (always possible, for recovery).")
@click.option("--email", required=True, help="E-mail of the user.")
@click.option("--organization", "organization_id", type=click.UUID, default=None,
              help="Organisation of the role; default: the one live organisation the user "
                   "belongs to.")
def grant_admin(email: str, organization_id: UUID | None) -> None:
    from accounts.admin_audit import CLI
    from accounts.admins import grant_network_admin
    from accounts.management import find_member_id

    async def grant() -> str:
        return await grant_network_admin(await find_member_id(email), organization_id, CLI)

    organization = _run_refusable(grant())
    console.print(f"{email} is now an active network_admin at {organization}.")


@users.command("revoke-tokens", help="Revoke every API token of a user.")
@click.option("--email", required=True, help="E-mail of the user.")
def revoke_tokens(email: str) -> None:
    from accounts.admin_audit import CLI
    from accounts.credentials import revoke_all_tokens
    from accounts.management import find_member_id

    async def revoke() -> int:
        return await revoke_all_tokens(await find_member_id(email), CLI)

    console.print(f"Revoked {_run_refusable(revoke())} API token(s) of {email}.")


@users.command("deactivate", help="Deactivate a user: ends their sessions, revokes their tokens.")
@click.option("--email", required=True, help="E-mail of the user.")
def deactivate(email: str) -> None:
    from accounts.admin_audit import CLI
    from accounts.management import find_member_id, update_member

    async def deactivate_member() -> None:
        await update_member(await find_member_id(email), by=CLI, is_active=False)

    _run_refusable(deactivate_member())
    console.print(f"Deactivated {email}.")


COMMANDS: list[click.Command] = [users, token, audit]
