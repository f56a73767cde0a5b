"""Health checks: public, quick, and saying what is wrong without saying anything else."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import settings as settings_module
from conftest import run
from core.db import atomic
from outbox.publish import publish


def test_live_answers_without_a_session_or_a_cookie(client: Any) -> None:
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "set-cookie" not in response.headers


def test_ready_checks_each_part_and_tells_the_outbox_backlog(client: Any) -> None:
    async def change() -> None:
        async with atomic():
            await publish("directory.organization_changed", {"organization_id": "x"})

    run(change())
    response = client.get("/health/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert (body["database"], body["key_store"], body["search_index"]) == ("ok", "ok", "ok")
    assert body["outbox"]["status"] == "ok"
    assert body["outbox"]["backlog"] >= 1
    assert body["outbox"]["oldest_event_age_seconds"] >= 0
    assert response.headers["cache-control"] == "no-store"


def test_ready_is_unavailable_when_the_key_store_fails_and_names_no_path(
    client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    broken = replace(settings_module.get_settings(),
                     keystore_url=f"sqlite:///{blocker}/keys/client_keys.sqlite")
    monkeypatch.setattr(settings_module, "get_settings", lambda: broken)

    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["key_store"] == "failed"
    assert body["database"] == "ok"
    assert str(tmp_path) not in response.text


def test_health_needs_no_log_in_even_with_a_stale_token(client: Any) -> None:
    response = client.get("/health/ready", headers={"Authorization": "Bearer revoked-token"})
    assert response.status_code == 200
