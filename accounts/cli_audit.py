"""`lotse audit verify`: check the audit log's hash chain from the command line (e.g. nightly)."""

from __future__ import annotations

import asyncio
import sys

import click
from rich.console import Console

console = Console()


@click.group(help="The audit log of reads and changes of personal data.")
def audit() -> None:
    pass


@audit.command(help="Recompute the hash chain; exits with 1 if an entry was altered or removed.")
def verify() -> None:
    from accounts.audit import verify_chain

    result = asyncio.run(verify_chain())
    if result.ok:
        # The head hash, noted somewhere else, also reveals a removal of the newest entries.
        console.print(f"Intact: {result.checked} entries. Head hash: {result.head_hash}")
        return
    console.print(
        f"[red]Broken at entry {result.first_bad_id}[/red]: {result.problem} "
        f"({result.checked} entries before it are intact)."
    )
    sys.exit(1)
