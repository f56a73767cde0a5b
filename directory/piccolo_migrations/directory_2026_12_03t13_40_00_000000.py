"""Live offers indexed in list order (name, then id).

`/api/services` and `/hsds/services` list live offers by name: with this partial index a page
is read in order from the index instead of sorting the whole table, a page after a known
offer starts right there, and counting the live offers reads the index, not the rows.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T13:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index live offers by name and id"


class Service(Table, tablename="service", schema=None):
    pass


async def _create_index() -> None:
    await Service.raw(
        "CREATE INDEX IF NOT EXISTS service_live_by_name ON service (name, id)"
        " WHERE retired_at IS NULL"
    )


async def _drop_index() -> None:
    await Service.raw("DROP INDEX IF EXISTS service_live_by_name")


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="directory", description=DESCRIPTION
    )
    manager.add_raw(_create_index)
    manager.add_raw_backwards(_drop_index)
    return manager
