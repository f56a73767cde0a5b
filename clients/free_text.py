"""Free texts about a client (referral needs, notes, messages, transition notes, notification
values, consent evidence notes) sealed under the client's own key.

Whoever stores such a text seals it here and opens it here, so that destroying the client's key
(erasure) makes every copy unreadable, in every backup and in the database's own logs. A sealed
text carries a prefix, so a reader can tell it from an empty or a not yet sealed value; once the
key is gone a sealed text reads as `ERASED_TEXT`, never as an error.
"""

from __future__ import annotations

from uuid import UUID

from clients import crypto, rotation
from clients.keystore import get_keystore
from clients.records import ClientErased
from core.i18n import N_

# Stored form: PREFIX + the sealed token of `crypto.seal_value`.
PREFIX = "lotse-sealed:1:"
# What a sealed text reads as once its client is erased (translated where it is shown).
ERASED_TEXT = N_("[erased]")


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def _category(field: str) -> str:
    # Bound into the ciphertext: a sealed text cannot be moved to another field unnoticed.
    return "text:" + field


class TextKeys:
    """Client keys fetched once for a batch of texts (one key store read per client)."""

    def __init__(self) -> None:
        self._keys: dict[UUID, bytes | None] = {}

    async def key(self, client_id: UUID) -> bytes | None:
        if client_id not in self._keys:
            stored = await get_keystore().get(client_id)
            # During a rotation a key may still be under the previous master key.
            self._keys[client_id] = (
                crypto.unwrap_key(stored.wrapped, rotation.key_for(stored.kek_id), client_id)
                if stored
                else None
            )
        return self._keys[client_id]

    async def seal(self, client_id: UUID, field: str, text: str) -> str:
        """The stored form of `text`; an empty text stays empty. ClientErased without a key."""
        if not text or is_sealed(text):
            return text
        key = await self.key(client_id)
        if key is None:
            raise ClientErased()
        return PREFIX + crypto.seal_value(key, client_id, _category(field), text)

    async def open(self, client_id: UUID, field: str, stored: str) -> str:
        """The text, or ERASED_TEXT when the client's key was destroyed."""
        if not stored or not is_sealed(stored):
            return stored
        key = await self.key(client_id)
        if key is None:
            return ERASED_TEXT
        return str(crypto.open_value(key, client_id, _category(field), stored[len(PREFIX) :]))


async def seal_text(client_id: UUID, field: str, text: str) -> str:
    return await TextKeys().seal(client_id, field, text)


async def open_text(client_id: UUID, field: str, stored: str) -> str:
    return await TextKeys().open(client_id, field, stored)


async def seal_texts(client_id: UUID, texts: dict[str, str]) -> dict[str, str]:
    """Seal several fields of one client with one key read."""
    keys = TextKeys()
    return {field: await keys.seal(client_id, field, text) for field, text in texts.items()}
