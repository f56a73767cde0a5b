"""The request id: taken from X-Request-ID (or made up), answered in the same header, kept in a
context variable so that log lines and outbox events of the request carry it, and set again by
the dispatcher while it delivers those events, so one id follows a change to its consumers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import uuid4

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
# A caller's id is kept only if it is short and plain: it ends up in logs and the database.
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:-]{1,64}")

_current: ContextVar[str] = ContextVar("lotse_request_id", default="")


def current() -> str:
    """The id of the request (or delivered event) being handled; empty outside one."""
    return _current.get()


def accept(sent: str | None) -> str:
    if sent and _ACCEPTABLE.fullmatch(sent):
        return sent
    return uuid4().hex


@contextmanager
def use(request_id: str) -> Iterator[None]:
    token = _current.set(request_id)
    try:
        yield
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    """Plain ASGI middleware, outermost, so that every log line of a request has the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = next((v.decode("latin-1") for k, v in scope["headers"] if k == HEADER.encode()),
                    None)
        request_id = accept(sent)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                message["headers"] = [*headers, (b"x-request-id", request_id.encode())]
            await send(message)

        with use(request_id):
            await self.app(scope, receive, send_with_id)


async def answer_unrouted(message: Message, scope: Scope) -> None:
    """A `before_send` hook: answers that no route produced (404, 405) get an id too."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    if HEADER not in headers:
        headers[HEADER] = current() or uuid4().hex
