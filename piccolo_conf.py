"""Piccolo configuration: the engine comes from DATABASE_URL (SQLite file by default)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

from core.db import sqlite_options
from core.pg_engine import ClosingPostgresEngine
from core.sqlite_pool import PooledSQLiteEngine
from domains import PICCOLO_APPS
from settings import get_settings


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        # A first start with LOTSE_DATA_DIR pointing at a folder not made yet.
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # A generous busy timeout: concurrent writers wait for the lock instead of failing.
        # Connections stay open between statements (see core.sqlite_pool).
        return PooledSQLiteEngine(path=path, timeout=30, **sqlite_options())
    parts = urlsplit(database_url)
    return ClosingPostgresEngine(
        config={
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": unquote(parts.username or "postgres"),
            "password": unquote(parts.password or ""),
            "database": parts.path.lstrip("/") or "postgres",
        }
    )


DB = make_engine(get_settings().database_url)

APP_REGISTRY = AppRegistry(apps=PICCOLO_APPS)
