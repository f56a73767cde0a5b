"""The referral exchange's free texts about a client, sealed under that client's key.

Need, accessibility needs, preferred times, notes and appointment text of a referral, the note
of every transition, every message body and the free values of a notification are written
sealed (through the clients front door) and opened here and nowhere else, so that erasing the
client (destroying its key) leaves nothing readable of them, backups and database logs
included. Once the key is gone they read as `clients.ERASED_TEXT`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from babel.support import NullTranslations

from clients import api as clients
from referrals.tables import Referral

# Free-text columns of the referral table (coded fields, dates and states are not sealed).
REFERRAL_TEXTS = (
    "need_text", "accessibility_needs", "preferred_times", "notes", "appointment_text",
)
# Field names bound into the ciphertext of the other free texts.
TRANSITION_NOTE = "transition_note"
MESSAGE_BODY = "message_body"
# Notification parameters that carry free text (the rest are codes, offer names and dates).
NOTIFICATION_TEXTS = ("appointment",)


def _notification_field(key: str) -> str:
    return "notification:" + key


async def seal_referral_texts(
    client_id: UUID, values: dict[str, Any], keys: clients.TextKeys | None = None
) -> dict[str, Any]:
    """A copy of `values` with the free-text fields it holds sealed."""
    keys = keys or clients.TextKeys()
    sealed = dict(values)
    for field in REFERRAL_TEXTS:
        if isinstance(sealed.get(field), str):
            sealed[field] = await keys.seal(client_id, field, sealed[field])
    return sealed


async def open_referral_texts(
    row: dict[str, Any], keys: clients.TextKeys | None = None
) -> dict[str, Any]:
    """A copy of a referral row (with its `client` column) with its free texts readable."""
    keys = keys or clients.TextKeys()
    opened = dict(row)
    for field in REFERRAL_TEXTS:
        if isinstance(opened.get(field), str):
            opened[field] = await keys.open(row["client"], field, opened[field])
    return opened


async def open_referral_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = clients.TextKeys()
    return [await open_referral_texts(row, keys) for row in rows]


async def seal_note(client_id: UUID, note: str) -> str:
    return await clients.seal_text(client_id, TRANSITION_NOTE, note)


async def seal_message(client_id: UUID, body: str) -> str:
    return await clients.seal_text(client_id, MESSAGE_BODY, body)


async def open_column(
    rows: Iterable[dict[str, Any]],
    column: str,
    field: str,
    client_of: dict[Any, UUID],
    keys: clients.TextKeys | None = None,
) -> list[dict[str, Any]]:
    """Copies of transition or message rows with `column` readable; `client_of` maps each
    row's referral to its client."""
    keys = keys or clients.TextKeys()
    opened = []
    for row in rows:
        copy = dict(row)
        copy[column] = await keys.open(client_of[row["referral"]], field, row[column])
        opened.append(copy)
    return opened


async def clients_of(referral_ids: Iterable[Any]) -> dict[Any, UUID]:
    """The client of each referral, in one query."""
    wanted = [r for r in dict.fromkeys(referral_ids) if r is not None]
    if not wanted:
        return {}
    rows = await Referral.select(Referral.id, Referral.client).where(Referral.id.is_in(wanted))
    return {row["id"]: row["client"] for row in rows}


async def seal_params(
    client_id: UUID | None, params: dict[str, Any], keys: clients.TextKeys | None = None
) -> dict[str, Any]:
    """Notification parameters as stored: their free-text values sealed."""
    if client_id is None:
        return dict(params)
    keys = keys or clients.TextKeys()
    sealed = dict(params)
    for key in NOTIFICATION_TEXTS:
        if isinstance(sealed.get(key), str):
            try:
                sealed[key] = await keys.seal(client_id, _notification_field(key), sealed[key])
            except clients.ClientErased:
                # An event delivered after the erasure: the text is gone; the marker is not
                # personal.
                sealed[key] = clients.ERASED_TEXT
    return sealed


def erased_translated(params: dict[str, Any], t: NullTranslations) -> dict[str, Any]:
    """Parameters to render for a reader: the erased marker in the reader's language."""
    return {
        key: t.gettext(value) if key in NOTIFICATION_TEXTS and value == clients.ERASED_TEXT
        else value
        for key, value in params.items()
    }


async def open_notifications(
    rows: Sequence[dict[str, Any]], t: NullTranslations
) -> list[dict[str, Any]]:
    """Copies of notification rows with their parameters readable (for `notifications.to_out`);
    `t` translates the erased marker, which is shown inside a sentence."""
    client_of = await clients_of(row["referral"] for row in rows)
    keys = clients.TextKeys()
    opened = []
    for row in rows:
        copy = dict(row)
        client_id = client_of.get(row["referral"])
        raw = row["params"]
        params = dict((json.loads(raw) if isinstance(raw, str) else raw) or {})
        if client_id is not None:
            for key in NOTIFICATION_TEXTS:
                if isinstance(params.get(key), str):
                    params[key] = await keys.open(
                        client_id, _notification_field(key), params[key]
                    )
        copy["params"] = erased_translated(params, t)
        opened.append(copy)
    return opened
