"""The deployment files in deploy/ are valid for the tools that read them."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ("lotse.service", "lotse-worker.service")
INSTALLED_LOTSE = "/opt/lotse/.venv/bin/lotse"

needs_systemd_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is missing (Debian package: systemd)",
)
needs_caddy = pytest.mark.skipif(
    shutil.which("caddy") is None, reason="caddy is missing (Debian package: caddy)"
)


@needs_systemd_analyze
def test_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    # verify insists that ExecStart exists: the installed path is stood in for by a stub here.
    stub = tmp_path / "bin" / "lotse"
    stub.parent.mkdir()
    stub.write_text("#!/bin/sh\n")
    stub.chmod(0o755)
    for unit in UNITS:
        text = (DEPLOY / unit).read_text()
        assert INSTALLED_LOTSE in text
        (tmp_path / unit).write_text(text.replace(INSTALLED_LOTSE, str(stub)))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / u) for u in UNITS)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr


def test_units_serve_and_deliver_with_the_settings_file() -> None:
    web, worker = ((DEPLOY / unit).read_text() for unit in UNITS)
    assert f"ExecStart={INSTALLED_LOTSE} serve" in web
    assert f"ExecStart={INSTALLED_LOTSE} worker" in worker
    for text in (web, worker):
        assert "EnvironmentFile=/etc/lotse/lotse.env" in text
        assert "User=lotse" in text and "ProtectSystem=strict" in text


@needs_caddy
def test_caddyfile_passes_caddy_validate(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        ["caddy", "validate", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "Valid configuration" in done.stdout + done.stderr


@needs_caddy
def test_caddy_keeps_metrics_from_the_internet_and_proxies_to_loopback(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        ["caddy", "adapt", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert done.returncode == 0, done.stderr
    config = json.dumps(json.loads(done.stdout))
    assert '"path": ["/metrics"]' in config and '"status_code": 404' in config
    assert '"dial": "127.0.0.1:8000"' in config


def test_env_example_is_a_complete_production_configuration(tmp_path: Path) -> None:
    from settings import load_settings

    env = {}
    for line in (DEPLOY / "lotse.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    settings_source = (ROOT / "settings.py").read_text()
    unknown = [name for name in env if f'"{name}"' not in settings_source]
    assert unknown == [], f"not read by settings.py: {unknown}"
    loaded = load_settings({**env, "LOTSE_DATA_DIR": str(tmp_path)})
    assert loaded.is_https and loaded.is_postgres
    assert loaded.keystore_url.startswith("postgresql://")
    assert loaded.master_key and loaded.metrics_token and loaded.trusted_proxies
    assert loaded.log_format == "json"


def test_only_the_web_unit_leaves_delivery_and_periodic_jobs_to_the_worker() -> None:
    web, worker = ((DEPLOY / unit).read_text() for unit in UNITS)
    assert "Environment=LOTSE_RUN_DISPATCHER=false" in web
    assert "LOTSE_RUN_DISPATCHER" not in worker.replace("(LOTSE_RUN_DISPATCHER=false there only)",
                                                        "")
    env_lines = (DEPLOY / "lotse.env.example").read_text().splitlines()
    assert not [line for line in env_lines if line.startswith("LOTSE_RUN_DISPATCHER")]


def test_worker_runs_the_periodic_jobs_the_web_unit_leaves_to_it(migrated: None,
                                                                  tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {**os.environ, "LOTSE_DATA_DIR": str(data_dir), "LOTSE_RUN_DISPATCHER": "true"}
    worker = subprocess.Popen([sys.executable, "-c", "import cli; cli.entry()", "worker"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    # The search index upkeep rebuilds a new index first and notes the day (search.indexing).
    marker = data_dir / "search-rebuilt-on"
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=60)
    assert marker.exists(), "the worker did not run the search index upkeep"
