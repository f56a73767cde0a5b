"""Envelope encryption of client data: a random AES-GCM key per client, wrapped by the instance key.

Each data category is sealed separately (with the client id and category as associated data), so a
reader decrypts only the categories it is entitled to and a sealed value cannot be moved to another
client or category unnoticed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# First byte of every sealed token and wrapped key: lets the format change without guessing.
FORMAT_VERSION = 1
_NONCE_BYTES = 12
_KEY_BYTES = 32
_WRAP_INFO = b"lotse client key wrapping v1"


class CryptoError(Exception):
    """A sealed value or wrapped key could not be opened (wrong key, tampered, unknown format)."""


def derive_instance_key(secret: str) -> bytes:
    """The key-encryption key of this instance, derived from the configured secret."""
    if len(secret) < 32:
        raise CryptoError("the instance secret must be at least 32 characters long")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=None, info=_WRAP_INFO)
    return hkdf.derive(secret.encode("utf-8"))


def key_id(instance_key: bytes) -> str:
    """A short public fingerprint of the instance key, stored beside wrapped keys for rotation."""
    return hashlib.sha256(b"lotse key id" + instance_key).hexdigest()[:16]


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=_KEY_BYTES * 8)


def _encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return bytes([FORMAT_VERSION]) + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < 1 + _NONCE_BYTES + 16 or blob[0] != FORMAT_VERSION:
        raise CryptoError("unknown or truncated ciphertext format")
    nonce = blob[1 : 1 + _NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[1 + _NONCE_BYTES :], aad)
    except InvalidTag:
        raise CryptoError("ciphertext does not match its key or context") from None


def wrap_key(data_key: bytes, instance_key: bytes, client_id: UUID) -> bytes:
    return _encrypt(instance_key, data_key, b"client-key:" + client_id.bytes)


def unwrap_key(wrapped: bytes, instance_key: bytes, client_id: UUID) -> bytes:
    return _decrypt(instance_key, wrapped, b"client-key:" + client_id.bytes)


def _aad(client_id: UUID, category: str) -> bytes:
    return b"client-data:" + client_id.bytes + b":" + category.encode("ascii")


def seal_value(data_key: bytes, client_id: UUID, category: str, value: Any) -> str:
    plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    blob = _encrypt(data_key, plaintext, _aad(client_id, category))
    return base64.urlsafe_b64encode(blob).decode("ascii")


def open_value(data_key: bytes, client_id: UUID, category: str, token: str) -> Any:
    try:
        blob = base64.urlsafe_b64decode(token.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise CryptoError("sealed value is not valid base64") from None
    return json.loads(_decrypt(data_key, blob, _aad(client_id, category)).decode("utf-8"))


def seal_categories(data_key: bytes, client_id: UUID, values: dict[str, Any]) -> str:
    """The stored form of a client's personal data: a JSON object of category -> sealed token."""
    sealed = {cat: seal_value(data_key, client_id, cat, val) for cat, val in values.items()}
    return json.dumps(sealed, sort_keys=True, separators=(",", ":"))


def sealed_categories(stored: str) -> dict[str, str]:
    if not stored:
        return {}
    try:
        parsed = json.loads(stored)
    except json.JSONDecodeError:
        raise CryptoError("stored personal data is not a JSON object") from None
    if not isinstance(parsed, dict):
        raise CryptoError("stored personal data is not a JSON object")
    return {str(k): str(v) for k, v in parsed.items()}


def open_categories(
    data_key: bytes, client_id: UUID, stored: str, categories: list[str]
) -> dict[str, Any]:
    """Decrypt only the requested categories; categories never filled in are simply absent."""
    sealed = sealed_categories(stored)
    return {
        cat: open_value(data_key, client_id, cat, sealed[cat])
        for cat in categories
        if cat in sealed
    }
