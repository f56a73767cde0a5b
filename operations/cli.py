"""The commands of operations (backup, restore, keys)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
