"""The key store keeps client keys outside the main database and forgets them for good."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from clients.keystore import PostgresKeyStore, SqliteKeyStore, open_keystore


async def test_deleted_key_is_gone_from_the_sqlite_file(tmp_path: Path) -> None:
    store = SqliteKeyStore(tmp_path / "keys" / "client_keys.sqlite")
    client_id = uuid4()
    wrapped = os.urandom(60)
    await store.put(client_id, wrapped, "kid")
    stored = await store.get(client_id)
    assert stored is not None and stored.wrapped == wrapped

    assert await store.delete(client_id) is True
    assert await store.get(client_id) is None
    assert await store.delete(client_id) is False
    # secure_delete: the bytes are overwritten, not left in a free page of the file.
    assert wrapped not in (tmp_path / "keys" / "client_keys.sqlite").read_bytes()


async def test_key_file_is_private_to_the_service_user(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "client_keys.sqlite"
    await SqliteKeyStore(path).put(uuid4(), b"x" * 60, "kid")
    assert path.stat().st_mode & 0o077 == 0


async def test_client_ids_lists_only_keys_older_than_the_cutoff(tmp_path: Path) -> None:
    store = SqliteKeyStore(tmp_path / "k.sqlite")
    client_id = uuid4()
    await store.put(client_id, b"x" * 60, "kid")
    assert await store.client_ids(datetime.now(UTC) - timedelta(hours=1)) == set()
    assert await store.client_ids(datetime.now(UTC) + timedelta(minutes=1)) == {client_id}


def test_key_store_url_chooses_the_backend(tmp_path: Path) -> None:
    assert isinstance(open_keystore(f"sqlite:///{tmp_path}/k.sqlite"), SqliteKeyStore)
    assert isinstance(open_keystore("postgresql://postgres@127.0.0.1/keys"), PostgresKeyStore)
    with pytest.raises(ValueError, match="scheme"):
        open_keystore("mysql://x")


@pytest.fixture
def postgres_url(keystore_url: str) -> str:
    if not keystore_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL key store is tested in the PostgreSQL half of the suite")
    return keystore_url


async def test_postgres_key_store_round_trip(postgres_url: str) -> None:
    store = PostgresKeyStore(postgres_url)
    client_id = uuid4()
    await store.put(client_id, b"w" * 60, "kid")
    stored = await store.get(client_id)
    assert stored is not None and stored.wrapped == b"w" * 60
    assert await store.delete(client_id)
    assert await store.get(client_id) is None
    await store.compact()


def test_key_store_may_not_be_the_main_database(tmp_path: Path) -> None:
    from settings import SettingsError, load_settings

    url = "postgresql://postgres@127.0.0.1:5432/lotse"
    env = {"LOTSE_DATA_DIR": str(tmp_path), "LOTSE_SECRET_KEY": "k" * 40, "DATABASE_URL": url}
    assert load_settings(env).keystore_url.endswith("keys/client_keys.sqlite")
    with pytest.raises(SettingsError, match="LOTSE_KEYSTORE_URL"):
        load_settings({**env, "LOTSE_KEYSTORE_URL": url})
    with pytest.raises(SettingsError, match="LOTSE_KEYSTORE_URL"):
        load_settings({**env, "LOTSE_KEYSTORE_URL": "redis://x"})
    assert load_settings({**env, "LOTSE_MASTER_KEY": "m" * 32}).master_key == "m" * 32
    with pytest.raises(SettingsError, match="LOTSE_MASTER_KEY"):
        load_settings({**env, "LOTSE_MASTER_KEY": "short"})


async def test_the_first_uses_at_once_share_one_pool_and_one_schema(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncpg

    made: list[asyncpg.Pool] = []
    create_pool = asyncpg.create_pool

    async def counted(*args: object, **kwargs: object) -> asyncpg.Pool:
        pool = await create_pool(*args, **kwargs)
        made.append(pool)
        return pool

    monkeypatch.setattr(asyncpg, "create_pool", counted)
    # Two processes' first requests, and two requests of one process, all on a fresh database.
    stores = [PostgresKeyStore(postgres_url), PostgresKeyStore(postgres_url)]
    try:
        await asyncio.gather(*(s.get(uuid4()) for s in stores for _ in range(2)))
        assert len(made) == 2 and all(len(s._pools) == 1 for s in stores)
    finally:
        for pool in made:
            await pool.close()
