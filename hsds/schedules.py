"""Schedules in imported HSDS records, through the calendars domain's own mapping.

HSDS schedule objects become child sets of schedule and exception rows of their owner, which
the calendars domain compares with what it holds and writes (``calendars.api``). Export reads
them with ``calendars.api.hsds_schedules_of_owners``.
"""

from __future__ import annotations

from calendars import api as calendars
from hsds.bundle import Bundle, ChildSet


def schedule_children(bundle: Bundle) -> None:
    """Turn the bundle's HSDS schedules into child sets of schedule and exception rows."""
    for item in bundle.schedules:
        rows = calendars.hsds_schedule_rows(item.owner_column, item.owner_id, item.docs)
        bundle.warnings.extend(
            f"{item.owner_column} {item.owner_id}: {why}; not kept" for why in rows.refused
        )
        bundle.children.append(ChildSet("schedule", item.owner_column, item.owner_id, rows.rules))
        bundle.children.append(
            ChildSet("schedule_exception", item.owner_column, item.owner_id, rows.exceptions)
        )
    bundle.schedules = []
