"""The analysis reads its monthly counts by measure and month."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T17:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index of the monthly counts"


class ReferralMonthCount(Table, tablename="referral_month_count", schema=None):
    pass


async def _index() -> None:
    await ReferralMonthCount.raw(
        "CREATE INDEX IF NOT EXISTS referral_month_count_measure_month"
        " ON referral_month_count (measure, month)")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)
    manager.add_raw(_index)
    return manager
