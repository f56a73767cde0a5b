"""The `lotse` command line: set-up, serving, demo data, workers; the domains of `domains.py`
add their own commands (users, capacity, calendars, referrals, HSDS ...)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from typing import Any

import click

from core.commands import console, run

os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")

# Set in `click.get_current_context().meta` by a command that wrote nothing to deliver.
WROTE_NOTHING = "lotse.wrote_nothing"


@click.group(help="Lotse: partner-network directory and referral exchange.")
def main() -> None:
    pass


@main.command(help="Bring the database to the current schema (safe to run again).")
def migrate() -> None:
    from core.db import atomic
    from core.migrate import migrate as run_migrations
    from directory.taxonomy_data import ensure_taxonomies
    from settings import get_settings

    async def migrate_and_install_taxonomies() -> None:
        await run_migrations()
        # The Lotse categories and target groups are reference data every installation needs.
        async with atomic():
            await ensure_taxonomies()

    run(migrate_and_install_taxonomies())
    console.print(f"Database is up to date ({get_settings().database_url.split('@')[-1]}).")


@main.command(help="Serve the web application.")
@click.option("--host", default=None, help="Address to listen on (default LOTSE_HOST).")
@click.option("--port", default=None, type=int, help="Port (default LOTSE_PORT).")
@click.option("--workers", default=1, show_default=True, help="Number of processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    import uvicorn

    from core.logs import uvicorn_log_config
    from core.web import SERVER_OPTIONS
    from settings import get_settings, serve_at

    configured = get_settings()
    settings = serve_at(host or configured.host, port or configured.port)
    console.print(f"Serving on {settings.host}:{settings.port}; links name {settings.base_url}")
    uvicorn.run(
        "app:create_app", factory=True, host=settings.host, port=settings.port,
        workers=workers, log_level="info", access_log=False,
        log_config=uvicorn_log_config(settings.log_format), **SERVER_OPTIONS,
        # uvicorn restarts a worker that does not answer its ping within this time; a worker
        # still loading on a busy machine would otherwise be killed again and again.
        timeout_worker_healthcheck=60,
    )


@main.command(help="Deliver outbox events (notifications, indexing, webhooks) in this process.")
@click.option("--once", is_flag=True, help="Deliver what is due, then exit.")
def worker(once: bool) -> None:
    from core.logs import configure
    from settings import get_settings

    configure(get_settings().log_format)
    if once:
        delivered = deliver_here()
        if delivered is None:
            console.print("Another process delivers the outbox; it was told to look now.")
        else:
            console.print(f"Delivered {delivered} events.")
        return

    async def forever() -> None:
        import logging

        from litestar import Litestar

        import domains
        from core import pubsub

        # The worker takes the duty when no other process holds it (web processes set
        # LOTSE_RUN_DISPATCHER=false), else it waits as a stand-by.
        bare = Litestar(route_handlers=[])
        for hook in domains.startup_hooks():
            await hook(bare)
        duty = domains.duty()
        duty.begin()
        logging.getLogger("lotse.worker").info("worker waiting for the duty")
        try:
            await asyncio.Event().wait()
        finally:
            await duty.end()
            for hook in domains.shutdown_hooks():
                await hook(bare)
            await pubsub.close()

    console.print("Worker running; stop with Ctrl+C.")
    with contextlib.suppress(KeyboardInterrupt):
        run(forever())


def deliver_here() -> int | None:
    """Deliver what is due in this process unless another one holds the duty (then None)."""
    from outbox.dispatcher import drain_with_duty
    from search.api import close_index
    from settings import get_settings

    return run(drain_with_duty(get_settings().data_dir, close_index))


@main.command(help="Load the demo network of Mülheim an der Ruhr into an empty database.")
def demo() -> None:
    from rich.table import Table

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


@main.result_callback()
def deliver_outbox(*_results: Any, **_options: Any) -> None:
    """What a command wrote reaches search, e-mail and webhooks like a change made on a page.

    When a web process or `lotse worker` holds the duty, it delivers them instead.
    """
    from settings import get_settings

    # A command that only reads (`lotse backup`) leaves delivery to the running application.
    if click.get_current_context().meta.get(WROTE_NOTHING):
        return
    if get_settings().run_dispatcher:
        deliver_here()


def add_domain_commands() -> None:
    import domains

    domains.install()
    for command in domains.commands():
        main.add_command(command)


def entry() -> None:
    from settings import SettingsError

    try:
        add_domain_commands()
        main()
    except SettingsError as error:
        console.print(f"[red]Configuration error:[/red] {error}")
        sys.exit(2)


if __name__ == "__main__":
    entry()
