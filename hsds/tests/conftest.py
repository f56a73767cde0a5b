"""Fixtures of the HSDS tests: the official schemas (or a skip) and a sample network."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import run
from hsds import schema
from hsds.tests.sample import make_network

SKIP_REASON = (
    f"the official HSDS schemas are not in {schema.schema_dir()} "
    "(set LOTSE_HSDS_SCHEMA_DIR to their folder)"
)


@pytest.fixture
def hsds_schemas() -> Path:
    """The folder of the official HSDS 3.1 schemas; skips the test where it is missing."""
    if not schema.schema_dir_available():
        pytest.skip(SKIP_REASON)
    return schema.schema_dir()


@pytest.fixture
def examples(hsds_schemas: Path) -> Path:
    return hsds_schemas / "examples"


@pytest.fixture
def network(db: None) -> dict[str, Any]:
    return run(make_network())


def read_array(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))


def allow_all(source: str) -> None:
    """Let ``source`` maintain every organisation Lotse holds (as a network admin would)."""
    from directory.tables import Organization
    from hsds import source_trust

    ids = [row["id"] for row in run(Organization.select(Organization.id))]
    run(source_trust.allow(source, ids))
