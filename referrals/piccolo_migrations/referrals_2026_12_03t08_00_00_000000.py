"""Seal the free texts already stored about clients with each client's key.

Need, accessibility needs, preferred times, notes and appointment text of every referral, every
transition note, every message body and the appointment value of in-app notifications were
stored readable; from now on they are sealed (`referrals.sealed`), so that erasing a client
destroys them in backups too. Texts of clients whose key is gone (erased) are cleared. The
appointment text grows from varchar(255) to text, as its sealed form is longer. No way back.

The type change runs first, by hand: Piccolo runs `add_raw` before its own column changes, so
the `alter_column` below only records the new type in the migration state.
"""

import json
from typing import Any
from uuid import UUID

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Text, Varchar
from piccolo.columns.column_types import UUID as UUIDColumn
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-03T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Seal client free texts with the client's key"

# Fixed here, not imported: the names are bound into the ciphertexts already written.
REFERRAL_TEXTS = (
    "need_text", "accessibility_needs", "preferred_times", "notes", "appointment_text",
)
TRANSITION_NOTE = "transition_note"
MESSAGE_BODY = "message_body"
NOTIFICATION_APPOINTMENT = "notification:appointment"


class TypeRecordedManager(MigrationManager):
    """Column types are changed in `add_raw` (before the texts are sealed); recorded only here."""

    async def _run_alter_columns(self, backwards: bool = False) -> None:
        return None


class Referral(Table, tablename="referral", schema=None):
    id = UUIDColumn(primary_key=True)
    client = UUIDColumn()
    need_text = Text()
    accessibility_needs = Text()
    preferred_times = Text()
    notes = Text()
    appointment_text = Text()


class ReferralTransition(Table, tablename="referral_transition", schema=None):
    id = UUIDColumn(primary_key=True)
    referral = UUIDColumn()
    note = Text()


class ReferralMessage(Table, tablename="referral_message", schema=None):
    id = UUIDColumn(primary_key=True)
    referral = UUIDColumn()
    body = Text()


class Notification(Table, tablename="notification", schema=None):
    id = UUIDColumn(primary_key=True)
    referral = UUIDColumn(null=True)
    params = JSON()


async def _widen_appointment_text() -> None:
    engine = engine_finder()
    # SQLite does not enforce a varchar length; PostgreSQL does.
    if engine is not None and engine.engine_type != "sqlite":
        await Referral.raw("ALTER TABLE referral ALTER COLUMN appointment_text TYPE text")


async def _seal_referrals(keys: Any) -> dict[Any, UUID]:
    client_of: dict[Any, UUID] = {}
    rows = await Referral.select(Referral.id, Referral.client, *[
        Referral._meta.get_column_by_name(f) for f in REFERRAL_TEXTS
    ])
    for row in rows:
        client_id = UUID(str(row["client"]))
        client_of[row["id"]] = client_id
        changes = {}
        for field in REFERRAL_TEXTS:
            if row[field]:
                sealed = await _sealed(keys, client_id, field, row[field])
                if sealed != row[field]:
                    changes[Referral._meta.get_column_by_name(field)] = sealed
        if changes:
            await Referral.update(changes).where(Referral.id == row["id"])
    return client_of


async def _sealed(keys: Any, client_id: UUID, field: str, text: str) -> str:
    from clients.api import ClientErased

    try:
        return str(await keys.seal(client_id, field, text))
    except ClientErased:
        # The client was erased: its texts must not outlive its key.
        return ""


async def _seal_column(
    table: Any, column: Any, field: str, client_of: dict[Any, UUID], keys: Any
) -> None:
    rows = await table.select(table.id, table.referral, column).where(column != "")
    name = column._meta.name
    for row in rows:
        client_id = client_of.get(row["referral"])
        if client_id is None:
            continue
        sealed = await _sealed(keys, client_id, field, row[name])
        if sealed != row[name]:
            await table.update({column: sealed}).where(table.id == row["id"])


async def _seal_notifications(client_of: dict[Any, UUID], keys: Any) -> None:
    rows = await Notification.select(Notification.id, Notification.referral, Notification.params)
    for row in rows:
        raw = row["params"]
        params = dict((json.loads(raw) if isinstance(raw, str) else raw) or {})
        client_id = client_of.get(row["referral"])
        text = params.get("appointment")
        if client_id is None or not isinstance(text, str) or not text:
            continue
        sealed = await _sealed(keys, client_id, NOTIFICATION_APPOINTMENT, text)
        if sealed != text:
            params["appointment"] = sealed
            await Notification.update({Notification.params: params}).where(
                Notification.id == row["id"]
            )


async def seal_existing() -> None:
    """Seal every readable client free text of the referral exchange (safe to repeat)."""
    from clients.api import TextKeys

    keys = TextKeys()
    await _widen_appointment_text()
    client_of = await _seal_referrals(keys)
    await _seal_column(
        ReferralTransition, ReferralTransition.note, TRANSITION_NOTE, client_of, keys
    )
    await _seal_column(ReferralMessage, ReferralMessage.body, MESSAGE_BODY, client_of, keys)
    await _seal_notifications(client_of, keys)


async def forwards():
    manager = TypeRecordedManager(
        migration_id=ID, app_name="referrals", description=DESCRIPTION
    )
    manager.add_raw(seal_existing)
    manager.alter_column(
        table_class_name="Referral",
        tablename="referral",
        column_name="appointment_text",
        db_column_name="appointment_text",
        params={},
        old_params={"length": 255},
        column_class=Text,
        old_column_class=Varchar,
        schema=None,
    )
    return manager
