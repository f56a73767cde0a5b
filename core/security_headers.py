"""Security headers on every response, sent from one `before_send` hook of the application.

Pages may run only Lotse's own scripts and the inline scripts they carry the request's nonce on
(`csp_nonce`, `nonce="{{ csp_nonce }}"` in templates); inline style attributes stay allowed, since
templates and htmx use them and they cannot run code. The OpenAPI documentation under /schema is
Litestar's page: its scripts come from a CDN and start inline, so it gets a policy of its own.
"""

from __future__ import annotations

import secrets
from typing import Any, cast

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from settings import get_settings

_NONCE_KEY = "lotse_csp_nonce"
_CDN = "https://cdn.jsdelivr.net"
_COMMON = ("default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
           "frame-ancestors 'none'")
_DOCS_POLICY = (f"{_COMMON}; script-src 'self' 'unsafe-inline' {_CDN}; "
                f"style-src 'self' 'unsafe-inline' {_CDN}; img-src 'self' data: {_CDN}")
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce(scope: Scope) -> str:
    """The nonce of this request's inline scripts (made on first use, then kept in the scope)."""
    state = cast(dict[str, Any], scope)
    if _NONCE_KEY not in state:
        state[_NONCE_KEY] = secrets.token_urlsafe(18)
    return str(state[_NONCE_KEY])


def content_security_policy(scope: Scope) -> str:
    if str(scope.get("path", "")).startswith("/schema"):
        return _DOCS_POLICY
    # Map tiles are images from the configured tile server (LOTSE_MAP_TILES), nothing else.
    tiles = get_settings().map_tiles_source
    return (f"{_COMMON}; script-src 'self' 'nonce-{csp_nonce(scope)}'; "
            f"style-src 'self' 'unsafe-inline'; img-src 'self' data:{' ' + tiles if tiles else ''}")


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    wanted = {
        "Content-Security-Policy": content_security_policy(scope),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    if get_settings().is_https:
        wanted["Strict-Transport-Security"] = HSTS
    for name, value in wanted.items():
        if name not in headers:
            headers[name] = value
