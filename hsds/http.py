"""HTTP around the HSDS API: HEAD without a body, and CORS for browsers on other sites.

The HSDS API only reads, so another site's map or search page may call it from the browser
when ``LOTSE_HSDS_CORS_ORIGINS`` names that site (or ``*``). Credentials are never allowed
across origins: a browser sends no Lotse cookie there, so a page elsewhere reads only what
the API shows without a log-in, or what its own API token opens.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from settings import get_settings

METHODS = "GET, HEAD, POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, Accept"
PREFLIGHT_MAX_AGE = "600"


def allowed_origin(origin: str | None) -> str | None:
    """The value of Access-Control-Allow-Origin for ``origin``, or None when it may not read."""
    origins = get_settings().hsds_cors_origins
    if not origin or not origins:
        return None
    if "*" in origins:
        return "*"
    return origin if origin.rstrip("/") in origins else None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def cors_headers(origin: str | None) -> list[tuple[bytes, bytes]]:
    allowed = allowed_origin(origin)
    headers = [(b"vary", b"Origin")] if get_settings().hsds_cors_origins else []
    if allowed is not None:
        headers.append((b"access-control-allow-origin", allowed.encode("latin-1")))
        headers.append((b"access-control-expose-headers", b"Content-Length, Content-Type"))
    return headers


def hsds_http(app: ASGIApp) -> ASGIApp:
    """Middleware of the HSDS controller: answers CORS preflights, adds CORS headers, and
    sends HEAD answers without their body (the headers stay those of GET)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        origin = _header(scope, b"origin")
        method = str(scope.get("method", "GET"))
        if method == "OPTIONS" and _header(scope, b"access-control-request-method"):
            await _preflight(origin, send)
            return
        extra = cors_headers(origin)
        body_sent = False

        async def wrapped(message: Message) -> None:
            nonlocal body_sent
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            elif message["type"] == "http.response.body" and method == "HEAD":
                if body_sent:
                    return
                body_sent = True
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await app(scope, receive, wrapped)

    return middleware


async def _preflight(origin: str | None, send: Send) -> None:
    headers = [(b"allow", METHODS.encode()), *cors_headers(origin)]
    if allowed_origin(origin) is not None:
        headers += [
            (b"access-control-allow-methods", METHODS.encode()),
            (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
            (b"access-control-max-age", PREFLIGHT_MAX_AGE.encode()),
        ]
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
