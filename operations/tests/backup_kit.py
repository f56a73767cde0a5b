"""Set-up for the backup tests: `lotse` commands in subprocesses against a database of their own,
wiping it, and reading it directly (to check what a restore brought back)."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from conftest import PG_URL, TEST_DB
from core.testing.servers import free_port
from referrals.tests.loadkit import ROOT, Target, postgres_target, python, sqlite_target


@contextmanager
def target() -> Iterator[Target]:
    """A database of the suite's engine; on PostgreSQL with the key store in a database of its
    own, as on a server."""
    manager: AbstractContextManager[Target] = (
        postgres_target(PG_URL) if TEST_DB == "postgres" else sqlite_target()
    )
    with manager as prepared:
        if TEST_DB != "postgres":
            yield prepared
            return
        keys_db = prepared.env["DATABASE_URL"].rsplit("/", 1)[1] + "_keys"
        _admin(f'CREATE DATABASE "{keys_db}"')
        prepared.env["LOTSE_KEYSTORE_URL"] = PG_URL.rsplit("/", 1)[0] + "/" + keys_db
        try:
            yield prepared
        finally:
            _admin(f'DROP DATABASE IF EXISTS "{keys_db}" WITH (FORCE)')


def _admin(sql: str, url: str = PG_URL) -> list[Any]:
    import asyncpg

    async def execute() -> list[Any]:
        connection = await asyncpg.connect(url)
        try:
            return list(await connection.fetch(sql))
        finally:
            await connection.close()

    return asyncio.run(execute())


def lotse(target: Target, *args: str, check: bool = True,
          env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `lotse ARGS` for the target; `env` overrides environment variables.
    Wide output, so that messages are not wrapped mid-word."""
    done = subprocess.run([python(), "-m", "cli", *args], cwd=ROOT,
                          env={**target.env, "COLUMNS": "400", **(env or {})},
                          capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"lotse {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def wipe(target: Target, *, keys: bool = True) -> None:
    """Lose the database and the data folder (search index); the key store too unless
    `keys=False` (it lives apart and may survive)."""
    url = target.env["DATABASE_URL"]
    data = Path(target.env["LOTSE_DATA_DIR"])
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            file.unlink(missing_ok=True)
    else:
        name = url.rsplit("/", 1)[1]
        _admin(f'DROP DATABASE "{name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{name}"')
    for entry in (data.iterdir() if data.exists() else []):
        if entry.name == "keys" and not keys:
            continue
        if entry.name != "secret_key":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    if keys and "LOTSE_KEYSTORE_URL" in target.env:
        _admin("DROP TABLE IF EXISTS client_key", target.env["LOTSE_KEYSTORE_URL"])


def query(target: Target, sql: str) -> list[tuple[Any, ...]]:
    url = target.env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql).fetchall()
    return [tuple(row) for row in _admin(sql, url)]


def table_counts(target: Target) -> dict[str, int]:
    if target.env["DATABASE_URL"].startswith("sqlite:///"):
        names = [r[0] for r in query(target, "SELECT name FROM sqlite_master WHERE type = 'table'"
                                               " AND name NOT LIKE 'sqlite_%'")]
    else:
        names = [r[0] for r in query(target, "SELECT table_name FROM information_schema.tables"
                                               " WHERE table_schema = 'public'")]
    return {name: query(target, f'SELECT count(*) FROM "{name}"')[0][0] for name in names}


def manifest(folder: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return loaded


def rewrite_manifest(folder: Path, **changes: Any) -> None:
    """Edit the manifest's key-store entry (e.g. `taken_at`), as time passing would."""
    data = manifest(folder)
    data["keys"].update(changes)
    (folder / "manifest.json").write_text(json.dumps(data))


# A restore that delivers nothing afterwards, so the database shows exactly what was restored.
QUIET = {"LOTSE_RUN_DISPATCHER": "false"}


_API_CALLS = """
import json, sys
import domains
domains.install()
from litestar.testing import TestClient
from app import create_app
answers = []
with TestClient(app=create_app()) as http:
    for method, path, token, body in json.loads(sys.stdin.read()):
        response = http.request(method, path, json=body,
                                headers={"Authorization": f"Bearer {token}"})
        answers.append([response.status_code, response.text])
print(json.dumps(answers))
"""


def api(target: Target, *calls: tuple[str, str, str, Any]) -> list[tuple[int, Any]]:
    """Requests (method, path, token, JSON body) to the target's application, in a process of
    its own (no server to wait for on a busy machine); answers as (status, decoded body)."""
    done = subprocess.run([python(), "-c", _API_CALLS], cwd=ROOT, input=json.dumps(calls),
                          env={**target.env, "LOTSE_RUN_DISPATCHER": "false"},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    return [(status, json.loads(text) if text.startswith(("{", "[")) else text)
            for status, text in answers]


@contextmanager
def serve(target: Target) -> Iterator[str]:
    """`lotse serve` for the target; waits as long as a busy machine needs to start it."""
    import time

    import httpx

    port = free_port()
    process = subprocess.Popen(
        [python(), "-m", "uvicorn", "app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=target.env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            assert process.poll() is None, f"the server exited with {process.returncode}"
            try:
                if httpx.get(f"{url}/login", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
