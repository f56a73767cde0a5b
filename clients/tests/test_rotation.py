"""Master key rotation: a crash halfway loses nothing, and afterwards the old key opens nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

import settings as settings_module
from clients import crypto, rotation
from clients.keystore import Rewrap, open_keystore
from conftest import run

ROOT = Path(__file__).resolve().parents[2]
OLD = "old-master-key-0123456789-abcdefghijklmnop"
NEW = "new-master-key-0123456789-qrstuvwxyzABCDEF"

# Runs `lotse keys rotate` and freezes it inside the third batch's transaction (SQLite: after
# four of its ten updates; PostgreSQL: as the batch starts), for the test to kill it there.
FREEZING_ROTATION = """
import sys, time
from clients import keystore

def freeze():
    print("FROZEN", flush=True)
    time.sleep(600)

class Frozen:
    updates = 0
    def __init__(self, conn):
        self.conn = conn
    def __getattr__(self, name):
        return getattr(self.conn, name)
    def execute(self, sql, *args):
        if sql.startswith("UPDATE"):
            Frozen.updates += 1
            if Frozen.updates == 25:
                freeze()
        return self.conn.execute(sql, *args)

connect = keystore.SqliteKeyStore._connect
keystore.SqliteKeyStore._connect = lambda self: Frozen(connect(self))
rewrap = keystore.PostgresKeyStore.rewrap
calls = []
async def frozen_rewrap(self, items):
    calls.append(1)
    if len(calls) == 3:
        freeze()
    return await rewrap(self, items)
keystore.PostgresKeyStore.rewrap = frozen_rewrap

import cli
sys.argv = ["lotse", *sys.argv[1:]]
cli.entry()
"""


def _lotse(env: dict[str, str], *args: str, script: str = "import cli; cli.entry()",
           ) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _fill(url: str, count: int) -> dict[UUID, bytes]:
    """`count` client keys wrapped under OLD, as an installation before the rotation has them."""
    store, old = open_keystore(url), crypto.derive_instance_key(OLD)
    data_keys = {uuid4(): crypto.new_data_key() for _ in range(count)}

    async def put_all() -> None:
        for client_id, data_key in data_keys.items():
            await store.put(client_id, crypto.wrap_key(data_key, old, client_id),
                            crypto.key_id(old))

    run(put_all())
    return data_keys


def _stored(url: str, client_ids: list[UUID]) -> dict[UUID, Any]:
    store = open_keystore(url)

    async def get_all() -> dict[UUID, Any]:
        return {client_id: await store.get(client_id) for client_id in client_ids}

    return run(get_all())


def test_rotation_killed_halfway_finishes_on_the_next_run(keystore_url: str) -> None:
    data_keys = _fill(keystore_url, 60)
    env = {**os.environ, "LOTSE_KEYSTORE_URL": keystore_url, "LOTSE_MASTER_KEY": NEW,
           "LOTSE_MASTER_KEY_PREVIOUS": OLD}
    old, new = crypto.derive_instance_key(OLD), crypto.derive_instance_key(NEW)

    frozen = _lotse(env, "keys", "rotate", "--batch-size", "10", script=FREEZING_ROTATION)
    assert frozen.stdout is not None
    for line in frozen.stdout:
        if "FROZEN" in line:
            break
    os.kill(frozen.pid, signal.SIGKILL)
    frozen.wait()

    # Halfway: two batches done, the third not at all; each key wholly under one master key.
    halfway = _stored(keystore_url, list(data_keys))
    under_new = [c for c, s in halfway.items() if s.kek_id == crypto.key_id(new)]
    assert len(under_new) == 20
    for client_id, stored in halfway.items():
        master = new if stored.kek_id == crypto.key_id(new) else old
        assert crypto.unwrap_key(stored.wrapped, master, client_id) == data_keys[client_id]

    again = _lotse(env, "keys", "rotate", "--batch-size", "10")
    output, _ = again.communicate(timeout=120)
    assert again.returncode == 0, output
    assert "remove LOTSE_MASTER_KEY_PREVIOUS" in output

    for client_id, stored in _stored(keystore_url, list(data_keys)).items():
        assert stored.kek_id == crypto.key_id(new)
        assert crypto.unwrap_key(stored.wrapped, new, client_id) == data_keys[client_id]
        with pytest.raises(crypto.CryptoError):
            crypto.unwrap_key(stored.wrapped, old, client_id)

    new_only = {k: v for k, v in env.items() if k != "LOTSE_MASTER_KEY_PREVIOUS"}
    status = _lotse(new_only, "keys", "status")
    output, _ = status.communicate(timeout=60)
    assert status.returncode == 0, output
    assert "current master key: 60" in output and "previous master key: 0" in output


def test_rotation_does_not_bring_back_a_key_erased_meanwhile(keystore_url: str) -> None:
    store = open_keystore(keystore_url)
    erased, kept, rotated_meanwhile = uuid4(), uuid4(), uuid4()

    async def race() -> int:
        for client_id in (erased, kept, rotated_meanwhile):
            await store.put(client_id, b"w" * 60, "old")
        await store.delete(erased)
        await store.rewrap([Rewrap(rotated_meanwhile, "old", b"x" * 60, "new")])
        return await store.rewrap([Rewrap(c, "old", b"n" * 60, "new")
                                   for c in (erased, kept, rotated_meanwhile)])

    assert run(race()) == 1
    assert run(store.get(erased)) is None
    kept_key, other = run(store.get(kept)), run(store.get(rotated_meanwhile))
    assert kept_key is not None and kept_key.wrapped == b"n" * 60
    assert other is not None and other.wrapped == b"x" * 60


def test_rotation_refuses_to_finish_while_keys_of_an_unknown_master_key_remain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'k.sqlite'}"
    data_keys = _fill(url, 3)
    configured = replace(settings_module.get_settings(), keystore_url=url, master_key=NEW,
                         master_key_previous="another-old-key-that-is-long-enough-000")
    monkeypatch.setattr(settings_module, "get_settings", lambda: configured)

    report = run(rotation.rotate())
    assert (report.rotated, report.unknown, report.remaining) == (0, 3, 3)
    assert all(s.kek_id == crypto.key_id(crypto.derive_instance_key(OLD))
               for s in _stored(url, list(data_keys)).values())


def test_clients_stay_readable_during_and_after_rotation(
    make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clients.api import open_text, reveal_personal_data, seal_text
    from clients.tests.support import actor, new_client

    case_manager = actor(make_user("case_manager"))
    record = run(new_client(case_manager))
    before = settings_module.get_settings()
    old_secret = before.master_key or before.secret_key

    def configure(**changes: Any) -> None:
        configured = replace(before, **changes)
        monkeypatch.setattr(settings_module, "get_settings", lambda: configured)

    def read() -> Any:
        return run(reveal_personal_data(record.id, ["identity"], case_manager, "127.0.0.1"))

    def note() -> str:
        return run(open_text(record.id, "need_text", sealed))

    sealed = run(seal_text(record.id, "need_text", "Deutschkurs am Vormittag"))
    # Restarted with the new key, not yet rotated: the key under the old one still opens.
    configure(master_key=NEW, master_key_previous=old_secret)
    assert read()["identity"]["given_name"] == "Aylin"
    assert note() == "Deutschkurs am Vormittag"
    assert run(rotation.rotate()).remaining == 0

    configure(master_key=NEW, master_key_previous=None)
    assert read()["identity"]["given_name"] == "Aylin"
    assert note() == "Deutschkurs am Vormittag"  # free texts too, under the rotated key
    configure(master_key=old_secret, master_key_previous=None)
    with pytest.raises(crypto.CryptoError):
        read()


def test_previous_master_key_must_differ_from_the_new_one(tmp_path: Path) -> None:
    from settings import SettingsError, load_settings

    env = {"LOTSE_DATA_DIR": str(tmp_path), "LOTSE_SECRET_KEY": "k" * 40}
    loaded = load_settings({**env, "LOTSE_MASTER_KEY": NEW, "LOTSE_MASTER_KEY_PREVIOUS": OLD})
    assert loaded.master_key_previous == OLD
    with pytest.raises(SettingsError, match="LOTSE_MASTER_KEY_PREVIOUS"):
        load_settings({**env, "LOTSE_MASTER_KEY": NEW, "LOTSE_MASTER_KEY_PREVIOUS": NEW})
    with pytest.raises(SettingsError, match="LOTSE_MASTER_KEY_PREVIOUS"):
        load_settings({**env, "LOTSE_MASTER_KEY_PREVIOUS": OLD})
