"""Every domain of Lotse, in one place: what the web app, the command line, the worker, the
migrations and the catalogs are made of.

Each list names its modules explicitly, so a reader (and `farm-studio`) sees every route, command
and consumer from the imports. Imports sit inside the functions because this module is read by
`piccolo_conf` and `core` before the domains themselves can be loaded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click
    from litestar import Litestar

    from core.duty import Duty

# In dependency order: a domain calls the front door (`api.py`) of those before it. Two calls run
# the other way: the directory's offer page shows opening hours from calendars, and the user
# administration of accounts lists organisations from the directory.
NAMES = ("core", "outbox", "accounts", "directory", "calendars", "search", "clients",
         "referrals", "hsds", "operations", "analysis")

# Domains with tables (one Piccolo app each).
PICCOLO_APPS = [
    "directory.piccolo_app",
    "accounts.piccolo_app",
    "outbox.piccolo_app",
    "calendars.piccolo_app",
    "clients.piccolo_app",
    "referrals.piccolo_app",
    "search.piccolo_app",
    "hsds.piccolo_app",
]

Hook = Callable[["Litestar"], Awaitable[None]]
# Background work that only the process holding the duty runs (`core.duty`).
DutyStep = Callable[[], Awaitable[None]]


def install() -> None:
    """Called first by every process (web, worker, command line): the catalogs and templates of
    every domain, and every outbox consumer, so that an event published anywhere has a row for
    each consumer."""
    from core import i18n

    i18n.use_domains(NAMES)
    # Importing a consumers module subscribes its handlers (`outbox.registry.consumer`).
    import accounts.consumers  # noqa: F401
    import calendars.consumers  # noqa: F401
    import referrals.consumers
    import referrals.slip_mail  # noqa: F401
    import search.consumers  # noqa: F401
    from outbox import registry

    registry.seal()


def routes() -> list[Any]:
    import accounts.web
    import analysis.web
    import calendars.web
    import directory.web
    import hsds.web
    import operations.web
    import referrals.web
    import search.web

    return [*accounts.web.ROUTES, *directory.web.ROUTES, *search.web.ROUTES,
            *calendars.web.ROUTES, *referrals.web.ROUTES, *hsds.web.ROUTES,
            *operations.web.ROUTES, *analysis.web.ROUTES]


def startup_hooks() -> list[Hook]:
    from calendars import lifecycle as calendars
    from referrals import lifecycle as referrals
    from search import lifecycle as search

    return [*search.on_startup, *calendars.on_startup, *referrals.on_startup]


def shutdown_hooks() -> list[Hook]:
    from calendars import lifecycle as calendars
    from referrals import lifecycle as referrals
    from search import lifecycle as search

    return [*referrals.on_shutdown, *calendars.on_shutdown, *search.on_shutdown]


def duty_starts() -> list[DutyStep]:
    """What the process that takes the duty starts, after the outbox dispatcher."""
    from calendars import lifecycle as calendars
    from referrals import lifecycle as referrals
    from search import lifecycle as search

    return [*search.on_duty, *calendars.on_duty, *referrals.on_duty]


def duty_stops() -> list[DutyStep]:
    from calendars import lifecycle as calendars
    from referrals import lifecycle as referrals
    from search import lifecycle as search

    return [*referrals.off_duty, *calendars.off_duty, *search.off_duty]


def duty() -> Duty:
    """The background work of a process (web or `lotse worker`) once it holds the duty lock:
    the domains' work first (the search index becomes writable), then the outbox dispatcher;
    stopped the other way round."""
    from core.duty import Duty, DutyLock, lock_path
    from outbox.dispatcher import Dispatcher
    from settings import get_settings

    dispatcher = Dispatcher()

    async def start_dispatcher() -> None:
        dispatcher.start()

    return Duty(DutyLock(lock_path(get_settings().data_dir)),
                start=[*duty_starts(), start_dispatcher], stop=[dispatcher.stop, *duty_stops()])


def commands() -> list[click.Command]:
    import accounts.cli
    import calendars.cli
    import directory.cli
    import hsds.cli
    import operations.cli
    import referrals.cli
    import search.cli

    return [*accounts.cli.COMMANDS, *directory.cli.COMMANDS, *search.cli.COMMANDS,
            *calendars.cli.COMMANDS, *referrals.cli.COMMANDS, *hsds.cli.COMMANDS,
            *operations.cli.COMMANDS]


async def load_demos() -> None:
    """Demo data of the domains that build on the directory's demo network (idempotent)."""
    from calendars.demo import load_demo as calendars

    await calendars()
