"""The error answers of every JSON operation, in one place, so that the OpenAPI tells the truth.

Route modules declare only their success answers. The refusals follow from how an operation is
mounted, and `document_errors` adds them to each handler at app creation: 401 everywhere (an
unknown or revoked token is refused even on public operations); 403 wherever a log-in is needed
(roles and organisation scoping are checked by guards and inside handlers, for reads too), on
public reads with a query (a filter may ask for more than the role may see: retired offers) and
on every change (CSRF); 404 where the path names something by id, and on every change (a body
may name an organisation or offer that does not exist); 409 and 400 on every change (Litestar
itself adds 400 where a query or body is validated). Every one of them has the same body, `Error`.
Public operations say that the token is optional.
`tests/test_api_schema.py` holds the server to it.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.routes import HTTPRoute

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Error(msgspec.Struct, forbid_unknown_fields=True):
    """The JSON body of every refusal (`core.web.http_error`)."""

    status_code: int
    detail: str
    # The problems field by field (a list) or more on the refusal (an object); absent when empty.
    extra: list[Any] | dict[str, Any] | msgspec.UnsetType = msgspec.UNSET


DESCRIPTIONS = {
    400: "The request is malformed or a value is not acceptable; `detail` says which.",
    401: "No valid log-in: the API token is missing, unknown or revoked.",
    403: "The role or organisation of the caller does not allow this, or the CSRF token of a "
         "session request is missing.",
    404: "Nothing with this id exists, or it is not visible to the caller.",
    409: "The current state does not allow this change (for example a transition that is not "
         "allowed, no free place, or something already retired); nothing was changed.",
}


def _spec(status: int) -> ResponseSpec:
    return ResponseSpec(data_container=Error, description=DESCRIPTIONS[status],
                        generate_examples=False)


def error_statuses(handler: HTTPRouteHandler, path: str, has_query: bool) -> set[int]:
    """The refusals one handler can give, from its log-in requirement, methods, path and query."""
    methods = {str(method) for method in handler.http_methods}
    changes = bool(methods & UNSAFE_METHODS)
    statuses = {401}
    if changes or has_query or not handler.opt.get("public"):
        statuses.add(403)
    if changes or "{" in path:
        statuses.add(404)
    if changes:
        statuses |= {400, 409}
    return statuses


def _token_optional(handler: HTTPRouteHandler) -> None:
    """A public operation is read without a token where it is public (always for the HSDS
    profile and feeds, by LOTSE_PUBLIC_DIRECTORY or LOTSE_HSDS_PUBLIC for the rest; else 401):
    the document says the token is optional instead of inheriting the required bearer."""
    security = handler.resolve_security()  # the handler's own resolved list, read when built
    if not security:
        security.extend([{}, {"bearer": []}])


def document_errors(app: Litestar) -> None:
    """Adds the error answers to every handler in the OpenAPI document of `app` (read lazily,
    when the document is first asked for). A status a handler documents itself is kept."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler, kwargs_model in route.route_handler_map.values():
            if not handler.resolve_include_in_schema():
                continue
            has_query = bool(kwargs_model.expected_query_params)
            if handler.opt.get("public"):
                _token_optional(handler)
            documented = dict(handler.responses or {})
            for status in sorted(error_statuses(handler, route.path_format, has_query)):
                documented.setdefault(status, _spec(status))
            handler.responses = documented
