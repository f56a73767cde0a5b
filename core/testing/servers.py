"""Lotse servers as separate processes, for tests of what holds across processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
# Generous: a loaded test machine starts a server slowly; a server that never answers still fails.
START_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """uvicorn serving Lotse on loopback, with the test process's environment plus `env`."""
    command = [sys.executable, "-m", "uvicorn", "--factory", "app:create_app",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})})  # noqa: S603


def wait_until_up(url: str, process: subprocess.Popen[bytes], path: str = "/health/live",
                  seconds: float = START_SECONDS) -> None:
    """Returns once the server answers `path` at all (any status); fails when the process ends
    or `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} while starting")
        try:
            httpx.get(url + path, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not start within {seconds:.0f} seconds")
