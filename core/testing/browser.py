"""Browser-test fixtures: a live server on loopback, Debian's chromium through Playwright, axe-core.

Registered in the root conftest, so every domain's tests can use `live_server`, `page`,
`browser_login` and `assert_accessible`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core.testing.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass
class LiveServer:
    url: str


@pytest.fixture(scope="session")
def _server(migrated: None) -> Iterator[LiveServer]:
    import uvicorn

    from app import create_app
    from core.web import SERVER_OPTIONS

    port = free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on", **SERVER_OPTIONS)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield LiveServer(url=f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def live_server(_server: LiveServer, db: None) -> LiveServer:
    """The application served on loopback, over the test database (emptied per test)."""
    return _server


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Debian's chromium is not installed (scripts/test installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(_browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = _browser.new_context(base_url=live_server.url, locale="de-DE")
    context.set_default_timeout(10_000)
    browser_page = context.new_page()
    refused: list[str] = []
    browser_page.on("console", lambda message: refused.append(message.text)
                    if "Content Security Policy" in message.text else None)
    yield browser_page
    context.close()
    assert not refused, f"the page's Content-Security-Policy refused: {refused}"


@pytest.fixture
def browser_login() -> Any:
    """Log in through the real form, as a person would."""

    def do_login(page: Any, user: Any) -> None:
        page.goto("/login")
        page.get_by_label("E-Mail").fill(user.email)
        page.get_by_label("Passwort").fill(user.password)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(lambda url: "/login" not in url)

    return do_login


def assert_accessible(page: Any) -> None:
    """Runs axe-core on the current page; fails with the violations of WCAG 2.1 A/AA."""
    # Evaluated through the DevTools protocol: a script tag would be refused by the page's CSP.
    page.evaluate(AXE.read_text() + "\n;true")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    violations = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
    assert not violations, json.dumps(violations, indent=2, ensure_ascii=False)


def expect_heading(page: Any, text: str | re.Pattern[str]) -> None:
    """The page's main heading reads `text`, waiting for it: after a click that loads another
    page, the old page's heading is still there for a moment."""
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", level=1)).to_have_text(text, use_inner_text=True)


def screenshot(page: Any, name: str) -> None:
    """Keeps a picture of a journey's step in LOTSE_SCREENSHOTS (a folder), when that is set:
    for reviewing the pages by eye; the tests never compare them."""
    folder = os.environ.get("LOTSE_SCREENSHOTS", "").strip()
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
