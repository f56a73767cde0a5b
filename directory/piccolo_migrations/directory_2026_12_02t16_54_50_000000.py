"""Existing capacity rows start with the places referrals hold today.

`held` counts the referrals that hold a place of the offer (accepted ones, and waitlisted ones
a freed place is offered to). Their places were already taken off `available`, so
`available + held` stays what the provider set. A database without the referrals' table yet
(a new installation: directory migrations run first) keeps every row at 0.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-02T16:54:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "Count the places referrals hold"


class Capacity(Table, tablename="capacity", schema=None):
    pass


async def _referrals_exist() -> bool:
    engine = engine_finder()
    if engine is not None and engine.engine_type == "sqlite":
        sql = "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'referral'"
    else:
        sql = "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'referral'"
    rows = await Capacity.raw(sql)
    return bool(rows and rows[0]["n"])


async def _count_held() -> None:
    if not await _referrals_exist():
        return
    await Capacity.raw(
        "UPDATE capacity SET held = (SELECT count(*) FROM referral"
        " WHERE referral.service = capacity.service AND referral.holds_place = {})",
        True,
    )


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="directory", description=DESCRIPTION
    )
    manager.add_raw(_count_held)
    return manager
