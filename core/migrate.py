"""Bringing a database to the current schema with the Piccolo migrations of every domain."""

from __future__ import annotations

import contextlib
import io
import os

from piccolo.apps.migrations.commands.forwards import run_forwards

from core.db import engine, is_sqlite


class MigrationError(RuntimeError):
    pass


async def migrate(quiet: bool = True) -> None:
    """Apply every pending migration; running it again changes nothing."""
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    if is_sqlite():
        # WAL lets readers work while a writer commits; the setting sticks to the file.
        await engine().run_ddl("PRAGMA journal_mode=WAL")
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise MigrationError(result.message or output.getvalue())
