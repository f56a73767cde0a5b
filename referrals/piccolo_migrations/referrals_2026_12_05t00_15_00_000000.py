"""The analysis works out medians of the answer buckets per provider in the database, provider
by provider in bucket order: an index in that order spares it sorting a state's year of them
(about a row per answer; the other duration measures are few enough to sort)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-05T00:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index of the answer buckets per provider"


class ReferralMonthCount(Table, tablename="referral_month_count", schema=None):
    pass


async def _index() -> None:
    engine = engine_finder()
    # PostgreSQL reads the counts from the index alone; SQLite has no INCLUDE.
    carried = (" INCLUDE (month, number, hours)"
               if engine is not None and engine.engine_type != "sqlite" else "")
    await ReferralMonthCount.raw(
        "CREATE INDEX IF NOT EXISTS referral_month_count_answers_by_provider"
        f" ON referral_month_count (grp, bucket){carried} WHERE measure = 'answer_hours_org'")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)
    manager.add_raw(_index)
    return manager
