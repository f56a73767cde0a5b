"""Sealing of client data: per client key, per category, bound to its client and category."""

from __future__ import annotations

import json
from uuid import uuid4

import pytest

from clients import crypto

SECRET = "a-test-secret-that-is-long-enough-0123456789"


def test_sealed_data_opens_only_with_its_own_client_key() -> None:
    client_id = uuid4()
    key = crypto.new_data_key()
    stored = crypto.seal_categories(key, client_id, {"identity": {"given_name": "Aylin"}})

    assert crypto.open_categories(key, client_id, stored, ["identity"]) == {
        "identity": {"given_name": "Aylin"}
    }
    with pytest.raises(crypto.CryptoError):
        crypto.open_categories(crypto.new_data_key(), client_id, stored, ["identity"])


def test_stored_form_contains_no_plaintext() -> None:
    stored = crypto.seal_categories(
        crypto.new_data_key(), uuid4(), {"identity": {"family_name": "Yilmaz"}, "notes": "Asthma"}
    )
    assert "Yilmaz" not in stored
    assert "Asthma" not in stored


def test_only_requested_categories_are_returned() -> None:
    client_id = uuid4()
    key = crypto.new_data_key()
    stored = crypto.seal_categories(
        key, client_id, {"identity": {"given_name": "Aylin"}, "languages": ["tr", "de"]}
    )
    assert crypto.open_categories(key, client_id, stored, ["languages"]) == {
        "languages": ["tr", "de"]
    }


def test_sealed_value_moved_to_another_category_is_refused() -> None:
    client_id = uuid4()
    key = crypto.new_data_key()
    stored = json.loads(
        crypto.seal_categories(key, client_id, {"notes": "x", "district": "Styrum"})
    )
    stored["district"] = stored["notes"]
    with pytest.raises(crypto.CryptoError):
        crypto.open_categories(key, client_id, json.dumps(stored), ["district"])


def test_sealed_value_copied_to_another_client_is_refused() -> None:
    key = crypto.new_data_key()
    stored = crypto.seal_categories(key, uuid4(), {"notes": "x"})
    with pytest.raises(crypto.CryptoError):
        crypto.open_categories(key, uuid4(), stored, ["notes"])


def test_wrapped_key_needs_the_instance_key_and_its_client() -> None:
    client_id = uuid4()
    data_key = crypto.new_data_key()
    instance = crypto.derive_instance_key(SECRET)
    wrapped = crypto.wrap_key(data_key, instance, client_id)

    assert data_key not in wrapped
    assert crypto.unwrap_key(wrapped, instance, client_id) == data_key
    with pytest.raises(crypto.CryptoError):
        crypto.unwrap_key(wrapped, crypto.derive_instance_key(SECRET + "x"), client_id)
    with pytest.raises(crypto.CryptoError):
        crypto.unwrap_key(wrapped, instance, uuid4())


def test_tampered_ciphertext_is_refused() -> None:
    client_id = uuid4()
    key = crypto.new_data_key()
    token = crypto.seal_value(key, client_id, "notes", "hello")
    flipped = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.CryptoError):
        crypto.open_value(key, client_id, "notes", flipped)


def test_short_instance_secret_is_refused() -> None:
    with pytest.raises(crypto.CryptoError):
        crypto.derive_instance_key("short")
