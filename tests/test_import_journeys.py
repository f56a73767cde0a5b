"""Offers that arrive on the command line are found like offers entered on a page."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.journeys import ok

ORG = "5b0f3c1e-2f55-4a7e-9a53-7d1d6c3f0a01"


def hsds_records(count: int) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = [
        {"id": ORG, "name": "Flüchtlingshilfe Styrum e.V.", "description": "Ehrenamtliche Hilfe"}
    ]
    for n in range(count):
        records.append({
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"journey:{n}")),
            "name": f"Nähcafé Wundertüte {n}",
            "description": "Gemeinsam nähen und Deutsch sprechen",
            "status": "active",
            "organization_id": ORG,
        })
    return records


def lotse(*args: str) -> Any:
    from cli import add_domain_commands, main

    add_domain_commands()
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_offers_imported_on_the_command_line_are_found(
    db: None, make_user: Any, api_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from settings import get_settings

    source = tmp_path / "styrum.json"
    source.write_text(json.dumps(hsds_records(12)), encoding="utf-8")
    # The command runs as an operator runs it: delivering its own outbox.
    monkeypatch.setenv("LOTSE_RUN_DISPATCHER", "true")
    get_settings.cache_clear()
    try:
        result = lotse("hsds", "import", str(source))
    finally:
        monkeypatch.undo()  # back to the suite's setting, not to the default
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output

    reader = api_client(make_user("viewer"))
    found = ok(reader.get("/api/search", params={"q": "Nähcafe", "per_page": 50}))
    assert found["total"] == 12
