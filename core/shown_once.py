"""A secret shown once, after a redirect (post/redirect/get): the form that made it answers 303,
so a reload sends nothing again, and the secret rides along in a short-lived cookie scoped to the
one page that shows it; that page reads the cookie and deletes it in the same answer."""

from __future__ import annotations

import base64
import json
from typing import Any, TypeVar

from litestar import Request, Response
from litestar.response import Redirect

from settings import get_settings

COOKIE = "lotse_shown_once"
LIFETIME_SECONDS = 300

R = TypeVar("R", bound="Response[Any]")


def redirect_with(path: str, secret: dict[str, str], query: str = "") -> Redirect:
    """303 to `path` (plus `?query`), carrying `secret` for that page's next answer only."""
    response = Redirect(f"{path}?{query}" if query else path, status_code=303)
    value = base64.urlsafe_b64encode(json.dumps(secret).encode()).decode()
    response.set_cookie(COOKIE, value, path=path, max_age=LIFETIME_SECONDS, httponly=True,
                        samesite="strict", secure=get_settings().is_https)
    return response


def taken(request: Request) -> dict[str, str] | None:
    """The secret waiting for this page, if any; the caller answers through `forget`."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode()))
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {str(k): str(v) for k, v in data.items()}


def forget(response: R, path: str) -> R:
    """Deletes the cookie, so a reload or the back button no longer shows the secret."""
    response.delete_cookie(COOKIE, path=path)
    response.set_header("Cache-Control", "no-store")
    response.set_header("Referrer-Policy", "no-referrer")
    return response
