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
Summaries and descriptions come from each handler: `summary=`/`description=` where given, else
its docstring (first line the summary, the whole text the description); HEAD answers are
documented without a body. `tests/test_api_schema.py` and `tests/test_openapi_document.py` hold
the server to it.
"""

from __future__ import annotations

from dataclasses import replace
from inspect import cleandoc
from typing import Any

import msgspec
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPI, OpenAPIMediaType, RequestBody, Schema
from litestar.routes import HTTPRoute
from litestar.utils.helpers import unwrap_partial

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
    413: "The request body is larger than this operation takes; nothing was read or stored.",
    409: "The current state does not allow this change (for example a transition that is not "
         "allowed, no free place, or something already retired); nothing was changed.",
}


def _spec(status: int) -> ResponseSpec:
    return ResponseSpec(data_container=Error, description=DESCRIPTIONS[status],
                        generate_examples=False)


def error_statuses(handler: HTTPRouteHandler, path: str, has_query: bool) -> set[int]:
    """The refusals one handler can give, from its log-in requirement, methods, path and query."""
    methods = {str(method) for method in handler.http_methods}
    # A read-only handler may also take POST (the HSDS lists, as the HSDS reference has them).
    changes = bool(methods & UNSAFE_METHODS) and not handler.opt.get("read_only")
    statuses = {401}
    if changes or has_query or not handler.opt.get("public"):
        statuses.add(403)
    if changes or "{" in path:
        statuses.add(404)
    if changes:
        statuses |= {400, 409}
    # Refusals particular to one handler, declared as opt={"errors": (413,)}.
    statuses |= set(handler.opt.get("errors", ()))
    return statuses


def _token_optional(handler: HTTPRouteHandler) -> None:
    """A public operation is read without a token where it is public (always for the HSDS
    profile and feeds, by LOTSE_PUBLIC_DIRECTORY or LOTSE_HSDS_PUBLIC for the rest; else 401):
    the document says the token is optional instead of inheriting the required bearer."""
    security = handler.resolve_security()  # the handler's own resolved list, read when built
    if not security:
        security.extend([{}, {"bearer": []}])


def docstring(handler: HTTPRouteHandler) -> str:
    """The handler function's docstring, cleaned of its indentation ("" when it has none)."""
    text = unwrap_partial(handler.fn).__doc__
    return cleandoc(text) if text else ""


def describe(handler: HTTPRouteHandler) -> None:
    """Summary and description from the docstring, where the handler does not set them."""
    text = docstring(handler)
    if not text:
        return
    if handler.summary is None:
        handler.summary = text.split("\n", 1)[0].strip().rstrip(".")
    if handler.description is None:
        handler.description = text


# operation id -> (media type, description) of a body a handler reads itself (not as `data`);
# a handler declares it as opt={"request_body": (media type, description)}.
RAW_BODIES: dict[str, tuple[str, str]] = {}


def _finish(openapi: OpenAPI) -> OpenAPI:
    """What the generator cannot say: a HEAD answer has no body, NDJSON lists stream, and
    bodies read as a stream (an .ics upload) have their media type."""
    for path, item in (openapi.paths or {}).items():
        for operation in (item.post, item.put):
            if operation is not None and operation.operation_id in RAW_BODIES:
                media, text = RAW_BODIES[operation.operation_id]
                operation.request_body = RequestBody(
                    content={media: OpenAPIMediaType(schema=Schema(type="string"))},  # type: ignore[arg-type]
                    description=text, required=True)
        if item.head is not None:
            for status, response in (item.head.responses or {}).items():
                if str(status).startswith("2") and not isinstance(response, dict):
                    item.head.responses[status] = replace(response, content=None)  # type: ignore[index, arg-type]
        for operation in (item.get, item.post):
            if operation is None or not path.startswith("/hsds"):
                continue
            ok = (operation.responses or {}).get("200")
            content = getattr(ok, "content", None)
            if content and any(p.name == "format" for p in operation.parameters or []
                               if hasattr(p, "name")):
                content["application/x-ndjson"] = OpenAPIMediaType(
                    schema=Schema(type="string",  # type: ignore[arg-type]
                                  description="One HSDS record as JSON per line."))
    return openapi


class DocumentedOpenAPIPlugin(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, finishing the document it builds (see `_finish`)."""

    __slots__ = ()

    def _build_openapi(self) -> OpenAPI:
        return _finish(super()._build_openapi())


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
            describe(handler)
            if "request_body" in handler.opt and isinstance(handler.operation_id, str):
                RAW_BODIES[handler.operation_id] = handler.opt["request_body"]
            if handler.opt.get("public"):
                _token_optional(handler)
            documented = dict(handler.responses or {})
            for status in sorted(error_statuses(handler, route.path_format, has_query)):
                documented.setdefault(status, _spec(status))
            handler.responses = documented
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = DocumentedOpenAPIPlugin


def _where(handler: HTTPRouteHandler) -> str:
    fn = unwrap_partial(handler.fn)
    code = getattr(fn, "__code__", None)
    line = f":{code.co_firstlineno}" if code else ""
    return f"{fn.__module__.replace('.', '/')}.py{line} {fn.__name__}"


def _operation_problems(method: str, operation: dict[str, Any]) -> list[str]:
    summary = (operation.get("summary") or "").strip()
    description = (operation.get("description") or "").strip()
    problems = []
    if " " not in summary:
        problems.append(
            "add a docstring whose first line is a summary of a few words ('List my API "
            "tokens'), or summary=... on the decorator")
    if not description or description.rstrip(".") == summary.rstrip("."):
        problems.append(
            "say more than the summary: a paragraph after the docstring's first line (what it "
            "answers or changes, who may call it, what it refuses)")
    responses = operation.get("responses") or {}
    ok = [status for status in responses if status[:1] in {"2", "3"}]
    if not ok:
        problems.append("document its success answer (responses={200: ResponseSpec(...)})")
    for status in ok:
        content = responses[status].get("content")
        if method == "HEAD" and content:
            problems.append(f"a HEAD answer has no body, yet {status} documents content")
        if method != "HEAD" and status not in {"204", "304"} and content is not None:
            for media, body in content.items():
                if not body.get("schema"):
                    problems.append(
                        f"{status} {media} has an empty schema: give the handler a return type "
                        "or responses={200: ResponseSpec(data_container=..., media_type=...)}")
    if "401" not in responses:
        problems.append("its refusals are missing: register it through domains.routes()")
    return problems


def problems(app: Litestar) -> list[str]:
    """What the OpenAPI document of `app` leaves out, one line per operation, each saying where
    the handler is and exactly what to add. Empty when every operation is documented."""
    document = app.openapi_schema.to_schema()
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (handler, _model) in route.route_handler_map.items():
            if method == "OPTIONS" or not handler.resolve_include_in_schema():
                continue
            operation = document["paths"][route.path_format or "/"][method.lower()]
            if missing := _operation_problems(method, operation):
                found.append(f"{method} {route.path_format} ({_where(handler)}): "
                             + "; ".join(missing))
    return found
