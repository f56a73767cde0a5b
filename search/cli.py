"""`lotse reindex`: rebuild the search index from the database, with a progress bar."""

from __future__ import annotations

import asyncio

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console()


async def _reindex() -> int:
    from search.documents import count_services
    from search.embedded import IndexUnavailableError
    from search.indexing import rebuild_all
    from search.runtime import close_engine, get_engine

    engine = get_engine()
    total = await count_services()
    columns = (
        TextColumn("Indexing offers"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console) as progress:
            bar = progress.add_task("offers", total=total)
            count = await rebuild_all(engine, lambda n: progress.advance(bar, n))
    except IndexUnavailableError as error:
        raise click.ClickException(
            f"{error}. Stop the process that delivers outbox events (web server or "
            "`lotse worker`) and run this again; searches keep working from the old index."
        ) from error
    finally:
        close_engine()
    return count


@click.command(help="Rebuild the search index from the database.")
def reindex() -> None:
    from piccolo.engine.postgres import PostgresEngine

    from core.db import engine as database

    async def run() -> int:
        db = database()
        if not isinstance(db, PostgresEngine):
            return await _reindex()
        await db.start_connection_pool(min_size=1, max_size=4)
        try:
            return await _reindex()
        finally:
            await db.close_connection_pool()

    count = asyncio.run(run())
    console.print(f"Search index rebuilt: {count} offers.")


COMMANDS = [reindex]
