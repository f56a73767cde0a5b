"""Shared pieces of the HTTP layer: pagination, error responses, the client's address."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

import msgspec
from litestar import MediaType, Request, Response
from litestar.connection import ASGIConnection
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from core.i18n import N_, gettext_for
from core.templates import render
from core.validation import readable_problems
from settings import Network, get_settings

log = logging.getLogger("lotse.web")

T = TypeVar("T")

MAX_PER_PAGE = 200

# Options for every uvicorn that serves Lotse: uvicorn would otherwise take X-Forwarded-For from
# 127.0.0.1 as the client's address; Lotse decides itself (`client_address`).
SERVER_OPTIONS: dict[str, Any] = {"proxy_headers": False}


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


def page_params(page: int, per_page: int) -> tuple[int, int]:
    """Validated (offset, limit) for a page number and size from the query string."""
    if page < 1:
        raise ValidationException("page must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationException(f"per_page must be between 1 and {MAX_PER_PAGE}")
    return (page - 1) * per_page, per_page


def wants_json(request: Request) -> bool:
    path = request.scope.get("path", "")
    if path.startswith(("/api/", "/hsds", "/schema")):
        return True
    return "text/html" not in request.headers.get("accept", "")


def _json_error(status: int, detail: str, extra: Any = None) -> Response[Any]:
    body: dict[str, Any] = {"status_code": status, "detail": detail}
    if extra:
        body["extra"] = extra
    return Response(content=body, status_code=status, media_type=MediaType.JSON)


# The CSRF guard's refusal: a page form sent after its session or token changed.
FORM_EXPIRED = N_(
    "The form has expired or its security token is missing. Reload the page and try again."
)


class FormExpired(PermissionDeniedException):
    """The CSRF guard's refusal, known by its class (pages translate the detail first)."""

    detail = FORM_EXPIRED


def _back_to_form(request: Request) -> str | None:
    """The page a refused form was sent from (same site only), marked so that its script puts
    the typed input back (`core/static/keep.js`); None when the page is not known."""
    referer = urlsplit(request.headers.get("referer", ""))
    host = request.headers.get("host", "")
    if not (referer.netloc and referer.netloc == host and referer.path.startswith("/")):
        return None
    query = [(k, v) for k, v in parse_qsl(referer.query) if k not in {"restore", "expired", "done"}]
    return referer.path + "?" + urlencode([*query, ("restore", "1")])


def http_error(request: Request, exc: HTTPException) -> Response[Any]:
    unsafe = request.method in {"POST", "PUT", "PATCH", "DELETE"}
    back = _back_to_form(request) if unsafe and not wants_json(request) else None
    if isinstance(exc, NotAuthorizedException) and not wants_json(request):
        if back:
            # A form sent after the session ended: log in, then back to the form as typed.
            return Redirect(f"/login?{urlencode({'next': back})}", status_code=303)
        return Redirect(f"/login?next={request.url.path}", status_code=303)
    if isinstance(exc, FormExpired) and back:
        return Redirect(back + "&expired=1", status_code=303)
    if isinstance(exc, ValidationException):
        # msgspec names a regular expression; a person needs the rule in words, in German first.
        text = readable_problems(exc.detail, exc.extra, gettext_for(request).gettext)
        if text is not None:
            exc = ValidationException(detail=text)
    if wants_json(request):
        response = _json_error(exc.status_code, exc.detail, exc.extra)
        if exc.headers:
            response.headers.update(exc.headers)
        return response
    # Pages speak the reader's language: details raised as gettext msgids (guards, Litestar's
    # own answers below) are translated here; the JSON API keeps them in English.
    detail = gettext_for(request).gettext(str(exc.detail))
    return render(request, "error.html", {"status": exc.status_code, "detail": detail},
                  status_code=exc.status_code)


# What Litestar itself answers, marked so that the catalogs hold them.
STANDARD_DETAILS = (
    N_("Not Found"),
    N_("Method Not Allowed"),
    N_("Bad Request"),
    N_("Forbidden"),
    N_("Unauthorized"),
    N_("Too Many Requests"),
    N_("Request Entity Too Large"),
    N_("Internal Server Error"),
)


BODY_TOO_DEEP = N_("The request body is nested too deeply.")
BODY_NOT_UTF8 = N_("The request body is not valid UTF-8.")


def malformed_body(request: Request, exc: Exception) -> Response[Any]:
    """msgspec, under Litestar's decoding and `strict_body`, raises RecursionError for JSON nested
    too deeply and UnicodeDecodeError for bytes that are not UTF-8: the client's mistake."""
    if isinstance(exc, UnicodeDecodeError):
        message = BODY_NOT_UTF8
    elif isinstance(exc, RecursionError) and "deserializing" in str(exc):
        message = BODY_TOO_DEEP
    else:
        return unexpected_error(request, exc)
    detail = message if wants_json(request) else gettext_for(request).gettext(message)
    return http_error(request, ClientException(detail=detail, status_code=400))


def unexpected_error(request: Request, exc: Exception) -> Response[Any]:
    # Only the type: messages may carry personal data.
    log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
    detail = N_("Something went wrong on our side. Nothing was changed; please try again.")
    if wants_json(request):
        return _json_error(HTTP_500_INTERNAL_SERVER_ERROR, detail)
    detail = gettext_for(request).gettext(detail)
    return render(request, "error.html", {"status": 500, "detail": detail},
                  status_code=HTTP_500_INTERNAL_SERVER_ERROR)


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted(text: str, trusted: Sequence[Network]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in trusted)


def forwarded_client(peer: str, forwarded: Sequence[str], trusted: Sequence[Network]) -> str:
    """The client behind `peer`: X-Forwarded-For is read from the right only while each hop is a
    trusted proxy, so a client cannot choose its own address by sending the header."""
    client = peer
    hops = [hop for header in forwarded for hop in header.split(",")]
    for hop in reversed(hops):
        if not _is_trusted(client, trusted) or _address(hop) is None:
            break
        client = hop.strip()
    return client


def client_address(connection: ASGIConnection) -> str:
    """The address a request came from, behind the proxies of LOTSE_TRUSTED_PROXIES."""
    peer = connection.client.host if connection.client else "unknown"
    return forwarded_client(peer, connection.headers.getall("x-forwarded-for", []),
                            get_settings().trusted_proxies)
