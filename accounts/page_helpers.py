"""Small helpers shared by the account and administration pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from babel.dates import format_datetime
from litestar import Request
from litestar.response import Template

from accounts.passwords import MIN_PASSWORD_LENGTH
from core.i18n import pick_language
from core.templates import render
from core.time import BERLIN


def date_formatter(lang: str) -> Callable[[datetime | None], str]:
    def when(moment: datetime | None) -> str:
        if moment is None:
            return ""
        return format_datetime(moment, "short", tzinfo=BERLIN, locale=lang)

    return when


def view(request: Request, template: str, context: dict[str, Any] | None = None,
         status_code: int = 200, secret: bool = False) -> Template:
    """Renders a page; `secret` pages (one-time links, tokens) are neither cached nor referred."""
    lang = pick_language(request)
    shared = {"when": date_formatter(lang), "min_password_length": MIN_PASSWORD_LENGTH}
    response = render(request, template, {**shared, **(context or {})}, status_code=status_code)
    if secret:
        response.set_header("Cache-Control", "no-store")
        response.set_header("Referrer-Policy", "no-referrer")
    return response


def text(form: Mapping[str, Any], name: str, limit: int = 255) -> str:
    """A form field as text; longer input is cut, the checks behind give the message."""
    value = form.get(name)
    return value[: limit + 1] if isinstance(value, str) else ""


def with_query(path: str, params: Mapping[str, object]) -> str:
    kept = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def safe_next(target: str | None) -> str:
    """Only local paths, so a log-in link cannot send people to another site."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target
