"""Load-test kit: a fresh database with a small network, a real server in a subprocess.

Used by the concurrency test and `scripts/bench_referrals.py`. Seeding runs in a subprocess
too (`python -m referrals.tests.loadkit seed ...`), so it uses the target database's settings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from core.testing.servers import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
SECRET = "load-test-secret-key-0123456789-abcdefghijklmnop"


@dataclass
class Target:
    """One database to test against, with the environment a process needs for it."""

    name: str
    env: dict[str, str]
    cleanup: Any = None


def _base_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOTSE_", "DATABASE_URL"))}
    env.update(
        {
            "PICCOLO_CONF": "piccolo_conf",
            "LOTSE_DATA_DIR": str(data_dir),
            "LOTSE_SECRET_KEY": SECRET,
            "LOTSE_RUN_DISPATCHER": "true",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.pop("SEARCH_URL", None)
    return env


@contextmanager
def sqlite_target() -> Iterator[Target]:
    with tempfile.TemporaryDirectory(prefix="lotse-load-") as folder:
        env = _base_env(Path(folder) / "data")
        env["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'load.sqlite'}"
        yield Target("SQLite", env)


@contextmanager
def postgres_target(admin_url: str) -> Iterator[Target]:
    import asyncpg

    name = f"lotse_load_{os.getpid()}_{int(time.time())}"

    async def execute(sql: str) -> None:
        connection = await asyncpg.connect(admin_url)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    try:
        with tempfile.TemporaryDirectory(prefix="lotse-load-") as folder:
            env = _base_env(Path(folder) / "data")
            env["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + name
            yield Target("PostgreSQL", env)
    finally:
        asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def python() -> str:
    return sys.executable


def _call(command: list[str], target: Target) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=ROOT, env=target.env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:])} failed:\n{done.stderr[-3000:]}")
    return done


def prepare(target: Target, referrals: int, places: int) -> dict[str, Any]:
    """Migrate the target database and seed it; returns tokens and ids (see `seed`)."""
    _call([python(), "-m", "cli", "migrate"], target)
    done = _call([python(), "-m", "referrals.tests.loadkit", "seed", "--referrals",
                  str(referrals), "--places", str(places)], target)
    seeded: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return seeded


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def memory_kib(self) -> dict[str, int]:
        """Resident and peak resident memory of the server process (Linux /proc)."""
        values: dict[str, int] = {}
        status = Path(f"/proc/{self.process.pid}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                key, _, rest = line.partition(":")
                if key in {"VmRSS", "VmHWM"}:
                    values[key] = int(rest.split()[0])
        return values


@contextmanager
def serve(target: Target, workers: int = 1) -> Iterator[Server]:
    port = free_port()
    command = [python(), "-m", "uvicorn", "app:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning", "--no-access-log",
               "--no-proxy-headers"]
    if workers > 1:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(command, cwd=ROOT, env=target.env)
    url = f"http://127.0.0.1:{port}"
    try:
        # A shared, busy machine may take minutes to import and start the application.
        wait_until_up(url, process, "/login", seconds=300)
        yield Server(url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def seed(referrals: int, places: int) -> dict[str, Any]:
    """A sender and a provider organisation, their people with API tokens, an offer with
    `places` places, a client with consent and `referrals` referrals sent to the offer."""
    from accounts.credentials import issue_token
    from accounts.identity import load_user
    from accounts.users import create_user
    from clients.api import ConsentInput, PersonalData, create_client, record_consent
    from core.time import berlin_today as local_today
    from directory.tables import Capacity, Organization, Service
    from referrals import drafts
    from referrals.transitions import transition

    sender_org = Organization(name="Vermittelnde Stelle", kind="public_office")
    provider_org = Organization(name="Kursanbieter", kind="education")
    foreign_org = Organization(name="Andere Stelle", kind="welfare")
    for org in (sender_org, provider_org, foreign_org):
        await org.save()
    password = "load-test-password-123"
    case_id = await create_user("case@load.example", "Case", password,
                                [(sender_org.id, "case_manager")])
    provider_id = await create_user("provider@load.example", "Provider", password,
                                    [(provider_org.id, "provider_staff")])
    foreign_id = await create_user("foreign@load.example", "Foreign", password,
                                   [(foreign_org.id, "provider_staff")])
    service = Service(organization=provider_org.id, name="Deutschkurs")
    await service.save()
    await Capacity(service=service.id, maximum=places, available=places).save()
    case_manager = await load_user(case_id)
    assert case_manager is not None
    client = await create_client(case_manager, PersonalData(given_name="Test"), "127.0.0.1")
    consent = await record_consent(client.id, ConsentInput(
        recipient_org_ids=[provider_org.id], purpose="referral",
        data_categories=["identity", "contact"], valid_from=local_today(),
        valid_until=local_today() + timedelta(days=30), evidence="written",
    ), case_manager, "127.0.0.1")
    ids = []
    for _ in range(referrals):
        referral_id = await drafts.create_draft(drafts.ReferralInput(
            client_id=client.id, service_id=service.id, need_category="language_course",
            shared_categories=["identity"],
        ), case_manager)
        await transition(referral_id, "sent", case_manager)
        ids.append(str(referral_id))
    return {
        "case_token": (await issue_token(case_id, "load"))[1],
        "provider_token": (await issue_token(provider_id, "load"))[1],
        "foreign_token": (await issue_token(foreign_id, "load"))[1],
        "client_id": str(client.id),
        "consent_id": str(consent.id),
        "service_id": str(service.id),
        "referral_ids": ids,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Seed a load-test database.")
    parser.add_argument("command", choices=["seed"])
    parser.add_argument("--referrals", type=int, default=0)
    parser.add_argument("--places", type=int, default=10)
    args = parser.parse_args()
    import domains

    # Seeding publishes outbox events, like every process that writes.
    domains.install()
    print(json.dumps(asyncio.run(seed(args.referrals, args.places))))


if __name__ == "__main__":
    main()
