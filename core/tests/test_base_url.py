"""Links in mails, feeds, HSDS and FHIR name the address Lotse is served at: LOTSE_BASE_URL when
set, else the host and port `lotse serve` listens on (also when given as --host/--port)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.testing.servers import free_port
from settings import get_settings, load_settings, serve_at

ROOT = Path(__file__).resolve().parents[2]


def test_without_base_url_links_name_the_served_host_and_port(tmp_path: Path) -> None:
    env = {"LOTSE_DATA_DIR": str(tmp_path), "LOTSE_PORT": "8300"}
    assert load_settings(env).base_url == "http://127.0.0.1:8300"
    assert load_settings({**env, "LOTSE_HOST": "::1"}).base_url == "http://[::1]:8300"
    configured = {**env, "LOTSE_BASE_URL": "https://lotse.muelheim.example/"}
    assert load_settings(configured).base_url == "https://lotse.muelheim.example"


def test_serving_at_a_port_makes_it_the_base_url_unless_one_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # serve_at writes these; monkeypatch puts the test's values back afterwards.
    monkeypatch.setenv("LOTSE_HOST", "127.0.0.1")
    monkeypatch.setenv("LOTSE_PORT", "8000")
    monkeypatch.delenv("LOTSE_BASE_URL", raising=False)
    try:
        assert serve_at("127.0.0.1", 8301).base_url == "http://127.0.0.1:8301"
        monkeypatch.setenv("LOTSE_BASE_URL", "https://lotse.example")
        assert serve_at("127.0.0.1", 8302).base_url == "https://lotse.example"
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@contextmanager
def _lotse_serve(port: int, **env: str) -> Iterator[str]:
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"LOTSE_BASE_URL", "LOTSE_PORT", "LOTSE_HOST"}}
    environment.update({"LOTSE_HSDS_PUBLIC": "true", "PYTHONPATH": str(ROOT), **env})
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"lotse serve exited with {process.returncode}")
            try:
                if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("lotse serve did not come up within 60 seconds")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_lotse_serve_on_another_port_writes_that_port_into_links(db: None) -> None:
    port = free_port()
    with _lotse_serve(port) as url:
        meta: dict[str, Any] = httpx.get(f"{url}/hsds/", timeout=10).json()
    assert meta["profile"] == f"http://127.0.0.1:{port}/hsds/profile"
    assert meta["openapi_url"] == f"http://127.0.0.1:{port}/schema/openapi.json"
