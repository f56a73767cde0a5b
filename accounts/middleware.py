"""Resolves who is asking on every HTTP request: session cookie or bearer token.

Sets `scope["user"]` (CurrentUser or None) and `scope["auth"]` (AuthInfo). Whether anonymous
access is allowed is decided by the `authenticated` guard, per handler.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from accounts import auth_cache
from accounts.credentials import digest, find_session, find_token_user
from accounts.identity import CurrentUser, load_user
from settings import get_settings

SESSION_COOKIE = "lotse_session"
ANON_CSRF_COOKIE = "lotse_csrf"


@dataclass(frozen=True)
class AuthInfo:
    # "session", "token" or "anonymous"; "invalid_token" when a bearer token was not accepted
    kind: str
    csrf_token: str
    session_token: str | None = None


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return {}
            return {key: morsel.value for key, morsel in jar.items()}
    return {}


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return ""
    return None


async def _token_user(secret: str) -> CurrentUser | None:
    key = "token:" + digest(secret)
    known = auth_cache.recall(key)
    if known is not None:
        return known.user
    user_id = await find_token_user(secret)
    user = await load_user(user_id) if user_id else None
    if user is not None:
        auth_cache.remember(key, user)
    return user


async def _session_user(token: str) -> auth_cache.Known | None:
    key = "session:" + digest(token)
    known = auth_cache.recall(key)
    if known is not None:
        return known
    session = await find_session(token)
    if session is None:
        return None
    user = await load_user(session["user"])
    if user is None:
        return None
    return auth_cache.remember(key, user, session["csrf_token"], session["expires_at"])


def _is_static(scope: Scope) -> bool:
    return scope["path"].startswith("/static/")


class AuthMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(_is_static)
    # Health checks and the metrics scrape look up no session (they authenticate themselves).
    exclude_opt_key = "own_authentication"

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope["user"] = None
        bearer = _bearer(scope)
        if bearer is not None:
            user = await _token_user(bearer) if bearer else None
            scope["user"] = user
            scope["auth"] = AuthInfo(kind="token" if user else "invalid_token", csrf_token="")
            await next_app(scope, receive, send)
            return
        cookies = _cookies(scope)
        session_token = cookies.get(SESSION_COOKIE)
        if session_token:
            known = await _session_user(session_token)
            if known is not None and known.user is not None:
                scope["user"] = known.user
                scope["auth"] = AuthInfo(
                    kind="session", csrf_token=known.csrf_token, session_token=session_token,
                )
                await next_app(scope, receive, send)
                return
        # Anonymous: forms (log-in, signed links) are protected by a double-submit cookie.
        anon_csrf = cookies.get(ANON_CSRF_COOKIE)
        if anon_csrf:
            scope["auth"] = AuthInfo(kind="anonymous", csrf_token=anon_csrf)
            await next_app(scope, receive, send)
            return
        fresh = secrets.token_urlsafe(32)
        scope["auth"] = AuthInfo(kind="anonymous", csrf_token=fresh)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                # Only pages carry forms; a public feed or API answer stays cookie-free and
                # cacheable.
                if not headers.get("content-type", "").startswith("text/html"):
                    await send(message)
                    return
                secure = "; Secure" if get_settings().is_https else ""
                headers.add(
                    "set-cookie",
                    f"{ANON_CSRF_COOKIE}={fresh}; Path=/; HttpOnly; SameSite=Lax{secure}",
                )
            await send(message)

        await next_app(scope, receive, send_with_cookie)
