"""Seal the evidence notes of consents (a witness's name and the like) with the client's key.

They were stored readable; from now on `clients.recording` seals them, so that erasing a client
destroys them in backups too. Notes of clients whose key is gone (erased) are cleared. The
column grows from varchar(255) to text, as the sealed form is longer. No way back.

The type change runs first, by hand: Piccolo runs `add_raw` before its own column changes, so
the `alter_column` below only records the new type in the migration state.
"""

from uuid import UUID

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text, Varchar
from piccolo.columns.column_types import UUID as UUIDColumn
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-03T08:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Seal consent evidence notes with the client's key"

# Fixed here, not imported: the name is bound into the ciphertexts already written.
EVIDENCE_NOTE = "evidence_note"


class TypeRecordedManager(MigrationManager):
    """Column types are changed in `add_raw` (before the notes are sealed); recorded only here."""

    async def _run_alter_columns(self, backwards: bool = False) -> None:
        return None


class Consent(Table, tablename="consent", schema=None):
    id = UUIDColumn(primary_key=True)
    client = UUIDColumn()
    evidence_note = Text()


async def seal_existing() -> None:
    """Seal every readable evidence note (safe to repeat)."""
    from clients.api import ClientErased, TextKeys

    engine = engine_finder()
    # SQLite does not enforce a varchar length; PostgreSQL does.
    if engine is not None and engine.engine_type != "sqlite":
        await Consent.raw("ALTER TABLE consent ALTER COLUMN evidence_note TYPE text")
    keys = TextKeys()
    rows = await Consent.select(Consent.id, Consent.client, Consent.evidence_note).where(
        Consent.evidence_note != ""
    )
    for row in rows:
        try:
            sealed = await keys.seal(UUID(str(row["client"])), EVIDENCE_NOTE, row["evidence_note"])
        except ClientErased:
            sealed = ""
        if sealed != row["evidence_note"]:
            await Consent.update({Consent.evidence_note: sealed}).where(Consent.id == row["id"])


async def forwards():
    manager = TypeRecordedManager(migration_id=ID, app_name="clients", description=DESCRIPTION)
    manager.add_raw(seal_existing)
    manager.alter_column(
        table_class_name="Consent",
        tablename="consent",
        column_name="evidence_note",
        db_column_name="evidence_note",
        params={},
        old_params={"length": 255},
        column_class=Text,
        old_column_class=Varchar,
        schema=None,
    )
    return manager
