"""Clients: pseudonymous by default, personal data sealed, every look logged and scoped."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from litestar.exceptions import NotFoundException, ValidationException

from accounts.tables import AuditEntry
from clients import crypto
from clients.keystore import get_keystore
from clients.personal_data import age_band
from clients.records import (
    ClientChanges,
    ClientErased,
    reveal_personal_data,
    update_client,
)
from clients.tables import Client
from clients.tests.support import AYLIN, actor, new_client, new_consent


@pytest.fixture
def world(make_user: Any, make_org: Any) -> dict[str, Any]:
    home = make_org("Caritas Mülheim")
    provider = make_org("VHS Mülheim")
    return {
        "home": home,
        "provider": provider,
        "case": actor(make_user("case_manager", home)),
        "colleague_viewer": actor(make_user("viewer", home)),
        "provider_staff": actor(make_user("provider_staff", provider)),
        "stranger": actor(make_user("case_manager")),
    }


async def test_new_client_gets_a_pseudonym_and_no_readable_personal_data(
    world: dict[str, Any],
) -> None:
    client = await new_client(world["case"])
    row = await Client.select().where(Client.id == client.id).first()
    assert row is not None
    assert row["pseudonym"].startswith("K-")
    assert row["organization"] == world["home"]
    for secret in ("Aylin", "Yilmaz", "1990", "123456", "Styrum", "Deutschkurs", "Gehbehinderung"):
        assert secret not in row["sealed_data"]


async def test_reveal_decrypts_only_the_requested_categories_and_logs_it(
    world: dict[str, Any],
) -> None:
    client = await new_client(world["case"])
    data = await reveal_personal_data(
        client.id, ["identity", "languages"], world["case"], "10.0.0.5"
    )
    assert data == {
        "identity": {"given_name": "Aylin", "family_name": "Yilmaz"},
        "languages": {"languages": ["tr", "de"]},
    }
    entry = await AuditEntry.select().where(AuditEntry.action == "client.read").first()
    assert entry is not None
    assert entry["subject_id"] == client.id and entry["remote_addr"] == "10.0.0.5"
    assert "identity" in str(entry["detail"]) and "Aylin" not in str(entry["detail"])


@pytest.mark.parametrize("who", ["stranger", "colleague_viewer", "provider_staff"])
async def test_people_without_right_or_consent_cannot_reveal(
    world: dict[str, Any], who: str
) -> None:
    client = await new_client(world["case"])
    with pytest.raises(NotFoundException):
        await reveal_personal_data(client.id, ["identity"], world[who], "10.0.0.6")
    assert await AuditEntry.count().where(AuditEntry.action == "client.read") == 0


async def test_recipient_sees_what_the_consent_releases_and_nothing_more(
    world: dict[str, Any],
) -> None:
    client = await new_client(world["case"])
    consent = await new_consent(world["case"], client.id, world["provider"])
    data = await reveal_personal_data(
        client.id, ["identity", "contact"], world["provider_staff"], "x"
    )
    assert data["contact"] == {"phone": "+49 208 123456", "email": "aylin@example.org"}
    entry = await AuditEntry.select().where(AuditEntry.action == "client.read").first()
    assert entry is not None and entry["actor_organization"] == world["provider"]
    assert str(consent.id) in str(entry["detail"])
    with pytest.raises(NotFoundException):
        await reveal_personal_data(client.id, ["birth_date"], world["provider_staff"], "x")


async def test_health_data_reaches_a_recipient_only_with_explicit_consent(
    world: dict[str, Any],
) -> None:
    client = await new_client(world["case"])
    with pytest.raises(ValidationException):
        await new_consent(world["case"], client.id, world["provider"], data_categories=["health"])
    await new_consent(
        world["case"],
        client.id,
        world["provider"],
        data_categories=["health"],
        special_categories=True,
    )
    data = await reveal_personal_data(client.id, ["health"], world["provider_staff"], "x")
    assert data == {"health": {"health_notes": "Gehbehinderung"}}


async def test_update_changes_the_sent_fields_and_keeps_the_rest(world: dict[str, Any]) -> None:
    client = await new_client(world["case"])
    await update_client(
        client.id, ClientChanges(family_name="Demir", district="Eppinghofen"), world["case"], "x"
    )
    data = await reveal_personal_data(
        client.id, ["identity", "district", "contact"], world["case"], "x"
    )
    assert data["identity"] == {"given_name": "Aylin", "family_name": "Demir"}
    assert data["district"] == {"district": "Eppinghofen"}
    assert data["contact"]["phone"] == "+49 208 123456"
    actions = [r["action"] for r in await AuditEntry.select(AuditEntry.action)]
    assert "client.update" in actions


async def test_foreign_case_manager_cannot_update(world: dict[str, Any]) -> None:
    client = await new_client(world["case"])
    with pytest.raises(NotFoundException):
        await update_client(client.id, ClientChanges(notes="x"), world["stranger"], "x")


async def test_pseudonyms_are_unique_within_an_organisation(world: dict[str, Any]) -> None:
    await new_client(world["case"], pseudonym="Familie-12")
    with pytest.raises(ValidationException):
        await new_client(world["case"], pseudonym="Familie-12")


async def test_pseudonym_rejects_characters_beyond_a_short_code(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationException):
        await new_client(world["case"], pseudonym="<script>")


async def test_destroying_the_key_makes_every_copy_unreadable(world: dict[str, Any]) -> None:
    client = await new_client(world["case"])
    backup = await Client.select(Client.sealed_data).where(Client.id == client.id).first()
    assert backup is not None
    stored = await get_keystore().get(client.id)
    assert stored is not None

    await get_keystore().delete(client.id)
    with pytest.raises(ClientErased):
        await reveal_personal_data(client.id, ["identity"], world["case"], "x")
    # A restored backup holds the ciphertext, but no key exists that could open it.
    assert await get_keystore().get(client.id) is None
    with pytest.raises(crypto.CryptoError):
        crypto.open_categories(
            crypto.new_data_key(), client.id, backup["sealed_data"], ["identity"]
        )


def test_age_band_is_coarse() -> None:
    on = date(2026, 6, 1)
    assert age_band(date(2010, 6, 2), on) == "0-17"
    assert age_band(date(2008, 6, 1), on) == "18-26"
    assert age_band(AYLIN.birth_date, on) == "27-44"
    assert age_band(date(1950, 1, 1), on) == "65+"
    assert age_band(None, on) == ""


async def test_failed_recording_leaves_neither_client_nor_key(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from accounts import audit

    created: list[Any] = []
    original_put = get_keystore().put

    async def remember_put(client_id: Any, wrapped: bytes, kek_id: str) -> None:
        created.append(client_id)
        await original_put(client_id, wrapped, kek_id)

    async def broken_record(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(get_keystore(), "put", remember_put)
    monkeypatch.setattr(audit, "record", broken_record)
    with pytest.raises(RuntimeError):
        await new_client(world["case"])
    assert await Client.count() == 0
    assert len(created) == 1 and await get_keystore().get(created[0]) is None
