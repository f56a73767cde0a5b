"""Shared pieces of the HTTP layer: pagination and error responses for pages and the API."""

from __future__ import annotations

import logging
from typing import Any, Generic, TypeVar

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from core.templates import render

log = logging.getLogger("lotse.web")

T = TypeVar("T")

MAX_PER_PAGE = 200


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


def http_error(request: Request, exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotAuthorizedException) and not wants_json(request):
        return Redirect(f"/login?next={request.url.path}", status_code=303)
    if wants_json(request):
        response = _json_error(exc.status_code, exc.detail, exc.extra)
        if exc.headers:
            response.headers.update(exc.headers)
        return response
    return render(request, "error.html", {"status": exc.status_code, "detail": exc.detail},
                  status_code=exc.status_code)


def unexpected_error(request: Request, exc: Exception) -> Response[Any]:
    # Only the type: messages may carry personal data.
    log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
    detail = "Something went wrong on our side. Nothing was changed; please try again."
    if wants_json(request):
        return _json_error(HTTP_500_INTERNAL_SERVER_ERROR, detail)
    return render(request, "error.html", {"status": 500, "detail": detail},
                  status_code=HTTP_500_INTERNAL_SERVER_ERROR)
