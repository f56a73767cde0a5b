"""Indexes for the analysis: referrals by the moment they were sent and closed, a client's
referrals in order (what came next), and transitions by the state they reached."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T13:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indexes for the analysis"

INDEXES = (
    "CREATE INDEX IF NOT EXISTS referral_sent_at_analysis ON referral (sent_at)",
    "CREATE INDEX IF NOT EXISTS referral_closed_at_analysis ON referral (closed_at)",
    "CREATE INDEX IF NOT EXISTS referral_client_sent_analysis ON referral (client, sent_at)",
    "CREATE INDEX IF NOT EXISTS referral_transition_to_state_analysis"
    " ON referral_transition (to_state, referral)",
)


class Referral(Table, tablename="referral", schema=None):
    pass


async def _create_indexes() -> None:
    for statement in INDEXES:
        await Referral.raw(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)
    manager.add_raw(_create_indexes)
    return manager
