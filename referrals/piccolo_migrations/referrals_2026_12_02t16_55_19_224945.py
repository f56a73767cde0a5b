from piccolo.apps.migrations.auto.migration_manager import MigrationManager


class RecordOnlyMigrationManager(MigrationManager):
    """The tables client, consent and consent_recipient moved to the clients app.

    They stay in the database with their data: this migration only removes them from the
    referrals app's migration state (the clients app records them), so `run` drops
    nothing, and going backwards creates nothing.

    Defined here rather than imported, so that this migration stays as it is when code moves.
    """

    async def run(self, backwards: bool = False) -> None:
        print(f"  - {self.migration_id} [recorded only, no schema change]... ", end="")


ID = "2026-12-02T16:55:19:224945"
VERSION = "1.38.0"
DESCRIPTION = "Hand client, consent and consent_recipient to the clients app"


async def forwards():
    manager = RecordOnlyMigrationManager(
        migration_id=ID, app_name="referrals", description=DESCRIPTION
    )

    manager.drop_table(class_name="Consent", tablename="consent", schema=None)

    manager.drop_table(
        class_name="ConsentRecipient", tablename="consent_recipient", schema=None
    )

    manager.drop_table(class_name="Client", tablename="client", schema=None)

    return manager
