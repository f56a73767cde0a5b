"""Command-line commands of the directory: capacity links and reminders."""

from __future__ import annotations

import click

from directory.capacity_cli import CAPACITY_COMMANDS

COMMANDS: list[click.Command] = [*CAPACITY_COMMANDS]
