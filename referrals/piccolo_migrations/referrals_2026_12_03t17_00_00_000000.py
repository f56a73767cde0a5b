"""Monthly counts behind the analysis (`referral_month_count`)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import DoublePrecision, Integer, Serial, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Monthly counts for the analysis"

COLUMNS = (
    ("id", Serial, {"primary_key": True}),
    ("month", Varchar, {"length": 7, "default": ""}),
    ("measure", Varchar, {"length": 20, "default": ""}),
    ("need", Varchar, {"length": 100, "default": ""}),
    ("district", Varchar, {"length": 100, "default": ""}),
    ("grp", Varchar, {"length": 100, "default": ""}),
    ("state", Varchar, {"length": 20, "default": ""}),
    ("reason", Varchar, {"length": 30, "default": ""}),
    ("bucket", Integer, {"default": 0}),
    ("number", Integer, {"default": 0}),
    ("hours", DoublePrecision, {"default": 0.0}),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)
    manager.add_table(class_name="ReferralMonthCount", tablename="referral_month_count",
                      schema=None, columns=None)
    for name, column_class, extra in COLUMNS:
        params = {"null": False, "primary_key": False, "unique": False, "index": False,
                  "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
                  "secret": False, **extra}
        manager.add_column(table_class_name="ReferralMonthCount",
                           tablename="referral_month_count", column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__,
                           column_class=column_class, params=params, schema=None)
    return manager
