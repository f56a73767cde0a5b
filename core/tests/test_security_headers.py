"""Every response carries the security headers; inline scripts run only with the page's nonce."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

import accounts.middleware
import core.security_headers
from settings import get_settings


def test_a_page_sends_the_security_headers(client: Any) -> None:
    response = client.get("/login")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers


@pytest.mark.parametrize("path", ["/api/me", "/static/lotse.css", "/no-such-page"])
def test_api_static_and_missing_pages_send_them_too(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_an_inline_script_carries_the_nonce_of_its_response(client: Any, make_user: Any,
                                                            login: Any) -> None:
    login(client, make_user("case_manager"))
    response = client.get("/notifications")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"])
    assert nonce is not None
    assert f'<script nonce="{nonce.group(1)}">' in response.text
    assert "<script>" not in response.text
    assert 'onclick="' not in response.text


def test_https_adds_hsts_and_a_secure_csrf_cookie(client: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    https = dataclasses.replace(get_settings(), base_url="https://lotse.example")
    monkeypatch.setattr(core.security_headers, "get_settings", lambda: https)
    monkeypatch.setattr(accounts.middleware, "get_settings", lambda: https)
    response = client.get("/login")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize(("tiles", "images"), [
    ("https://{s}.tiles.stadt.example/{z}/{x}/{y}.png", "img-src 'self' data: https://*.tiles.stadt.example"),
    ("http://10.1.2.3:8080/osm/{z}/{x}/{y}.png", "img-src 'self' data: http://10.1.2.3:8080"),
    ("", "img-src 'self' data:"),
])
def test_map_tiles_are_the_only_images_from_elsewhere(
    client: Any, monkeypatch: pytest.MonkeyPatch, tiles: str, images: str
) -> None:
    configured = dataclasses.replace(get_settings(), map_tiles=tiles)
    monkeypatch.setattr(core.security_headers, "get_settings", lambda: configured)
    policy = client.get("/login").headers["content-security-policy"]
    assert images in [part.strip() for part in policy.split(";")]
