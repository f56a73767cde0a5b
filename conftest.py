"""Test set-up shared by every domain.

The suite runs on SQLite by default and on PostgreSQL with LOTSE_TEST_DB=postgres (a throwaway
database per run). Environment is fixed here before any application module reads its settings.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import tempfile
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="lotse-test-"))
TEST_DB = os.environ.get("LOTSE_TEST_DB", "sqlite")
PG_URL = os.environ.get("LOTSE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_NAME = f"lotse_test_{os.getpid()}"

os.environ["LOTSE_DATA_DIR"] = str(_TMP / "data")
os.environ["LOTSE_SECRET_KEY"] = "test-secret-key-that-is-long-enough-0123456789"
os.environ["LOTSE_DB_POOL"] = "false"
os.environ["LOTSE_RUN_DISPATCHER"] = "false"
os.environ["PICCOLO_CONF"] = "piccolo_conf"
os.environ.pop("SEARCH_URL", None)
if TEST_DB == "postgres":
    os.environ["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/" + PG_NAME
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'test.sqlite'}"

pytest_plugins = ["core.testing.browser"]


def _cheap_password_hashing() -> None:
    """Tests create many users: argon2id with small costs keeps them fast (tests only)."""
    from argon2 import PasswordHasher

    import accounts.passwords

    accounts.passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


_cheap_password_hashing()


def _install() -> None:
    import domains

    domains.install()


_install()

T = TypeVar("T")

PASSWORD = "correct-horse-battery"


def run(awaitable: Awaitable[T]) -> T:
    """Run a coroutine or a Piccolo query from synchronous test code."""

    async def wait() -> T:
        return await awaitable

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(wait())
    # Playwright's sync API keeps a loop running in this thread: use a thread of our own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, wait()).result()


async def _create_pg_database() -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
        await connection.execute(f'CREATE DATABASE "{PG_NAME}"')
    finally:
        await connection.close()


async def _drop_pg_database() -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
    finally:
        await connection.close()


def all_tables() -> list[Any]:
    from piccolo.conf.apps import Finder

    return [t for t in Finder().get_table_classes() if t._meta.tablename != "migration"]


async def _truncate() -> None:
    from core.db import engine, is_sqlite

    names = [t._meta.tablename for t in all_tables()]
    if is_sqlite():
        for name in names:
            await engine().run_ddl(f'DELETE FROM "{name}"')
    else:
        joined = ", ".join(f'"{n}"' for n in names)
        await engine().run_ddl(f"TRUNCATE {joined} RESTART IDENTITY CASCADE")


def _empty_search_index() -> None:
    """The index is a projection of the database: emptied with it, when a test opened it."""
    from search import runtime

    if runtime._engine is not None:
        runtime._engine.rebuild([])


@pytest.fixture(scope="session")
def migrated() -> Iterator[None]:
    if TEST_DB == "postgres":
        run(_create_pg_database())
    from core.migrate import migrate

    run(migrate())
    yield
    if TEST_DB == "postgres":
        run(_drop_pg_database())


@pytest.fixture
def db(migrated: None) -> Iterator[None]:
    """A migrated database, emptied before each test."""
    run(_truncate())
    _empty_search_index()
    yield


@pytest.fixture
def client(db: None) -> Iterator[Any]:
    from litestar.testing import TestClient

    from app import create_app

    with TestClient(app=create_app()) as test_client:
        yield test_client


@dataclass
class TestUser:
    id: UUID
    email: str
    password: str
    organization_id: UUID
    role: str


@pytest.fixture
def make_org(db: None) -> Any:
    from directory.tables import Organization

    def make(name: str = "Beratungsstelle Test", kind: str = "welfare") -> UUID:
        org = Organization(name=name, kind=kind, description="")
        run(org.save())
        return org.id

    return make


@pytest.fixture
def make_user(db: None, make_org: Any) -> Any:
    from accounts.users import create_user

    counter = {"n": 0}

    def make(role: str = "case_manager", organization_id: UUID | None = None,
             email: str | None = None) -> TestUser:
        counter["n"] += 1
        org_id = organization_id or make_org(f"Organisation {counter['n']}")
        address = email or f"user{counter['n']}-{role}@example.org"
        user_id = run(create_user(address, f"Test {role} {counter['n']}", PASSWORD,
                                  [(org_id, role)]))
        return TestUser(user_id, address, PASSWORD, org_id, role)

    return make


def _session_csrf(client: Any) -> str:
    from accounts.credentials import digest
    from accounts.tables import LoginSession

    token = client.cookies.get("lotse_session")
    row = run(LoginSession.select(LoginSession.csrf_token)
              .where(LoginSession.token_hash == digest(token)).first())
    assert row is not None, "log-in did not create a session"
    return str(row["csrf_token"])


@pytest.fixture
def login() -> Any:
    """Log `user` in on `client` (through the log-in form) and send the CSRF header from then on."""

    def do_login(client: Any, user: TestUser) -> str:
        client.get("/login")
        anon = client.cookies.get("lotse_csrf")
        response = client.post(
            "/login",
            data={"email": user.email, "password": user.password, "csrf_token": anon},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        csrf = _session_csrf(client)
        client.headers["X-CSRF-Token"] = csrf
        return csrf

    return do_login


@pytest.fixture
def api_client(db: None) -> Iterator[Any]:
    """Factory of TestClients that authenticate with a fresh API token of `user`."""
    from litestar.testing import TestClient

    from accounts.credentials import issue_token
    from app import create_app

    opened: list[Any] = []

    def make(user: TestUser) -> Any:
        _id, secret = run(issue_token(user.id, "test"))
        test_client = TestClient(app=create_app())
        test_client.__enter__()
        test_client.headers["Authorization"] = f"Bearer {secret}"
        opened.append(test_client)
        return test_client

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)


@pytest.fixture
def make_service(db: None) -> Any:
    from directory.tables import Capacity, Service
    from search.indexing import refresh
    from search.runtime import get_engine

    def make(organization_id: UUID, name: str = "Migrationsberatung", available: int = 3,
             maximum: int = 10, **fields: Any) -> UUID:
        service = Service(organization=organization_id, name=name, **fields)
        run(service.save())
        run(Capacity(service=service.id, maximum=maximum, available=available).save())
        # Searchable like an offer saved through the directory (which tells the index).
        run(refresh(get_engine(), [service.id]))
        return service.id

    return make


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in the main
    thread, which async tests collected after it could not use."""
    browser_tests = [
        item for item in items
        if {"page", "_browser"} & set(getattr(item, "fixturenames", ()))
        or item.get_closest_marker("browser")
    ]
    for item in browser_tests:
        item.add_marker(pytest.mark.browser)
    others = [item for item in items if item not in browser_tests]
    items[:] = others + browser_tests


@pytest.fixture
def outbound_allow(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Sets LOTSE_OUTBOUND_ALLOW for a test: `outbound_allow("127.0.0.0/8", "intranet")`."""
    from dataclasses import replace

    import core.outbound
    from settings import get_settings

    def allow(*entries: str) -> None:
        configured = replace(get_settings(), outbound_allow=entries)
        monkeypatch.setattr(core.outbound, "get_settings", lambda: configured)

    return allow


@pytest.fixture
def loopback_allowed(outbound_allow: Any) -> None:
    """Webhooks and calendars may reach test servers on loopback (allow-listed, as in a city)."""
    outbound_allow("127.0.0.0/8")


@pytest.fixture
def resolves(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Host names resolve to the given addresses, the rest as usual:
    `resolves({"a.example": "1.2.3.4"})`."""
    import core.outbound

    names: dict[str, list[str]] = {}
    real = core.outbound.lookup

    def lookup(host: str, port: int) -> list[str]:
        return names[host] if host in names else real(host, port)

    monkeypatch.setattr(core.outbound, "lookup", lookup)

    def set_names(mapping: dict[str, str | list[str]]) -> None:
        for host, addresses in mapping.items():
            names[host] = [addresses] if isinstance(addresses, str) else list(addresses)

    return set_names
