"""The slip's small map: drawn from the configured tile server (here one on loopback), and left
out without a word of failure when the tile server does not answer."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from settings import get_settings
from tests.journeys import Network
from tests.slip_support import accepted_with_appointment, first_page_png, tools_present


def _tile() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), "#9ecae1").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def tiles() -> Iterator[list[str]]:
    """A tile server on loopback answering every tile with one blue square; logs the paths."""
    asked: list[str] = []
    body = _tile()

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    asked.append(f"http://127.0.0.1:{server.server_address[1]}")
    yield asked
    server.shutdown()


def _use_tiles(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    configured = replace(get_settings(), map_tiles=url, map_attribution="© Testkarte")
    monkeypatch.setattr("referrals.slip_map.get_settings", lambda: configured)
    monkeypatch.setattr("referrals.slip_render.get_settings", lambda: configured)


def test_slip_shows_a_map_of_the_place_from_the_tile_server(
    network: Network, tiles: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _use_tiles(monkeypatch, tiles[0] + "/{z}/{x}/{y}.png")
    scene = accepted_with_appointment(network, ["ar"])
    page = network.sender.get(f"/referrals/{scene.referral_id}/slip")
    assert page.status_code == 200, page.text
    assert 'alt="Karte: Haus der Bildung, Bergstraße 1' in page.text
    assert "data:image/png;base64," in page.text and "© Testkarte" in page.text
    assert any(path.startswith("/16/") for path in tiles[1:])
    pdf = network.sender.get(f"/referrals/{scene.referral_id}/slip/pdf")
    assert pdf.status_code == 200 and b"/Subtype /Image" in pdf.content
    if tools_present():
        first_page_png(pdf.content, tmp_path, "slip-ar-a4-map")


def test_slip_goes_without_map_when_the_tile_server_is_down(
    network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    _use_tiles(monkeypatch, f"http://127.0.0.1:{closed}/{{z}}/{{x}}/{{y}}.png")
    scene = accepted_with_appointment(network, ["ar"])
    page = network.sender.get(f"/referrals/{scene.referral_id}/slip")
    assert page.status_code == 200
    assert "Karte:" not in page.text and "Bergstraße 1" in page.text
    assert network.sender.get(f"/referrals/{scene.referral_id}/slip/pdf").status_code == 200


def test_no_tile_server_configured_no_map(network: Network) -> None:
    scene = accepted_with_appointment(network, ["ar"])
    page = network.sender.get(f"/referrals/{scene.referral_id}/slip")
    assert "Karte:" not in page.text
