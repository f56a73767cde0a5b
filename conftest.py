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
# Places are found offline, and maps ask a tile server nobody answers on: pages must cope.
os.environ.pop("LOTSE_GEOCODER_URL", None)
os.environ["LOTSE_MAP_TILES"] = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"
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
        # A commit need not wait for the disk here: a crash of the server loses the test
        # database anyway. Every connection to it, the servers' too, inherits this.
        await connection.execute(f'ALTER DATABASE "{PG_NAME}" SET synchronous_commit = off')
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
    """Empty every table that holds rows (callers await it, as from `run`)."""
    from core.testing.truncate import empty_tables

    await empty_tables(os.environ["DATABASE_URL"], all_tables())


def _empty_search_index() -> None:
    """The index is a projection of the database: emptied with it."""
    from search import runtime

    # The tests deliver outbox events themselves, as the process on duty does, so they write
    # the index: opened writable here before an application's start-up would open it read-only.
    engine = runtime.get_engine()
    runtime.allow_writes()
    # An empty rebuild is a commit of the index (30-60 ms): only when something is in it.
    health = engine.health()
    if health.ok and health.documents == 0 and not getattr(engine, "needs_rebuild", False):
        return
    engine.rebuild([])


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
    # The search page remembers taxonomy names for a minute; they went with the database.
    from search import labels

    labels.forget_term_names()
    from directory import api as directory

    directory.forget_list_counts()
    yield


@pytest.fixture(scope="session")
def shared_app() -> Any:
    """One application for the tests' clients: building one registers ~300 handlers (0.2 s).

    It keeps no state of its own between requests (the database and the search index are
    emptied per test); a test that changes how the app is built calls `create_app()` itself.
    """
    from app import create_app

    return create_app()


@pytest.fixture
def client(db: None, shared_app: Any) -> Iterator[Any]:
    from core.testing.app_client import SharedAppClient

    with SharedAppClient(app=shared_app) as test_client:
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
def api_client(db: None, shared_app: Any) -> Iterator[Any]:
    """Factory of TestClients that authenticate with a fresh API token of `user`."""
    from accounts.credentials import issue_token
    from core.testing.app_client import SharedAppClient

    opened: list[Any] = []

    def make(user: TestUser) -> Any:
        _id, secret = run(issue_token(user.id, "test"))
        test_client = SharedAppClient(app=shared_app)
        test_client.__enter__()
        test_client.headers["Authorization"] = f"Bearer {secret}"
        opened.append(test_client)
        return test_client

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)


@pytest.fixture
def make_service(db: None) -> Any:
    from directory import api as directory
    from directory.tables import Capacity, Service
    from search.indexing import refresh
    from search.runtime import get_engine

    def make(organization_id: UUID, name: str = "Migrationsberatung", available: int = 3,
             maximum: int = 10, waitlist_open: bool = False, **fields: Any) -> UUID:
        service = Service(organization=organization_id, name=name, **fields)
        run(service.save())
        # A waitlist is closed unless the provider opened it, as with a new offer's capacity.
        run(Capacity(service=service.id, maximum=maximum, available=available,
                     waitlist_open=waitlist_open).save())
        # Searchable like an offer saved through the directory (which tells the index).
        run(refresh(get_engine(), [service.id]))
        # Written behind the application's back: kept list totals are counted again.
        directory.forget_list_counts()
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
        # One browser at a time (`--dist loadgroup`): two at once on two cores make focus and
        # navigation timings flaky while the other worker runs the rest.
        item.add_marker(pytest.mark.xdist_group("browser"))
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
