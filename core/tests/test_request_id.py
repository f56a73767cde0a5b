"""One request id follows a change from the request through the outbox to its delivery."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import run
from core import logs, request_id
from outbox.dispatcher import drain
from outbox.tables import OutboxEvent

ROOT = Path(__file__).resolve().parents[2]


def test_response_answers_with_the_request_id_it_was_sent(client: Any) -> None:
    response = client.get("/health/live", headers={"X-Request-ID": "proxy-4711.a"})
    assert response.headers["x-request-id"] == "proxy-4711.a"


def test_an_unknown_address_is_answered_with_a_request_id_too(client: Any) -> None:
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert len(response.headers["x-request-id"]) == 32


@pytest.mark.parametrize("sent", [None, "", "has spaces", "x" * 65, "a/b<c>"])
def test_a_missing_or_unusable_request_id_is_replaced_by_a_new_one(client: Any,
                                                                   sent: str | None) -> None:
    headers = {"X-Request-ID": sent} if sent is not None else {}
    answered = client.get("/health/live", headers=headers).headers["x-request-id"]
    assert answered != sent and len(answered) == 32
    assert client.get("/health/live", headers=headers).headers["x-request-id"] != answered


def _create_organization(api_client: Any, make_user: Any, rid: str) -> None:
    admin = api_client(make_user("network_admin"))
    response = admin.post("/api/organizations", json={"name": "Sprachcafé Styrum"},
                          headers={"X-Request-ID": rid})
    assert response.status_code == 201, response.text


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_outbox_events_carry_the_request_id_and_delivery_logs_it(
    api_client: Any, make_user: Any
) -> None:
    _create_organization(api_client, make_user, "req-create-org-1")
    rows = run(OutboxEvent.select(OutboxEvent.request_id, OutboxEvent.consumer))
    assert rows and {r["request_id"] for r in rows} == {"req-create-org-1"}

    # Its own handler: the app's logging set-up replaces the root handlers pytest listens on.
    logs.stamp_request_ids()
    outbox_log, captured = logging.getLogger("lotse.outbox"), _Records()
    outbox_log.addHandler(captured)
    try:
        run(drain())
    finally:
        outbox_log.removeHandler(captured)
    delivering = [r for r in captured.records if r.getMessage().startswith("delivering")]
    assert delivering
    assert {getattr(r, "request_id", None) for r in delivering} == {"req-create-org-1"}
    entry = json.loads(logs.JsonFormatter().format(delivering[0]))
    assert entry["request_id"] == "req-create-org-1"
    assert entry["level"] == "INFO" and entry["logger"] == "lotse.outbox"


def test_worker_writes_json_log_lines_with_the_request_id(api_client: Any,
                                                          make_user: Any) -> None:
    _create_organization(api_client, make_user, "req-worker-2")
    env = {**os.environ, "LOTSE_LOG_FORMAT": "json"}
    done = subprocess.run([sys.executable, "-c", "import cli; cli.entry()", "worker", "--once"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    delivering = [e for e in lines if e["message"].startswith("delivering outbox event")]
    assert delivering and all(e["request_id"] == "req-worker-2" for e in delivering)


def test_json_log_lines_name_an_exception_only_by_its_type() -> None:
    try:
        raise ValueError("Aylin Yilmaz, born 1990")
    except ValueError:
        record = logging.LogRecord("lotse.x", logging.ERROR, __file__, 1, "failed", None,
                                   sys.exc_info())
    with request_id.use("r-1"):
        record.request_id = request_id.current()
    line = logs.JsonFormatter().format(record)
    assert json.loads(line)["exception"] == "ValueError"
    assert "Aylin" not in line


def test_log_format_accepts_only_text_or_json(tmp_path: Path) -> None:
    from settings import SettingsError, load_settings

    env = {"LOTSE_DATA_DIR": str(tmp_path), "LOTSE_SECRET_KEY": "k" * 40}
    assert load_settings(env).log_format == "text"
    assert load_settings({**env, "LOTSE_LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError, match="LOTSE_LOG_FORMAT"):
        load_settings({**env, "LOTSE_LOG_FORMAT": "xml"})
