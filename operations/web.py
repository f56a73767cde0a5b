"""The routes of operations (health and metrics).

Both skip the log-in machinery (`own_authentication`): health is public and touches no session,
and the metrics scrape authenticates with its own token, not a user's.
"""

from __future__ import annotations

import secrets
from ipaddress import ip_address
from typing import Any

from litestar import Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from core.i18n import N_
from operations import health, metrics
from settings import get_settings

OWN = {"public": True, "own_authentication": True}
_FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
WRONG_METRICS_TOKEN = N_("The metrics need the bearer token of LOTSE_METRICS_TOKEN.")
METRICS_LOOPBACK_ONLY = N_(
    "Without LOTSE_METRICS_TOKEN the metrics are only served to this machine, not through a proxy."
)


def _is_direct_loopback(connection: ASGIConnection) -> bool:
    if any(connection.headers.get(h) for h in _FORWARDING_HEADERS):
        return False
    client = connection.scope.get("client")
    try:
        return client is not None and ip_address(client[0]).is_loopback
    except ValueError:
        return False


def metrics_access(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    """With LOTSE_METRICS_TOKEN: that bearer token. Without: a direct request from loopback."""
    token = get_settings().metrics_token
    if token is None:
        if not _is_direct_loopback(connection):
            raise PermissionDeniedException(METRICS_LOOPBACK_ONLY)
        return
    scheme, _, sent = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(sent.strip().encode(),
                                                                token.encode()):
        raise NotAuthorizedException(WRONG_METRICS_TOKEN,
                                     headers={"WWW-Authenticate": "Bearer"})


@get("/health/live", operation_id="healthLive", opt=OWN, summary="The process answers")
async def live() -> dict[str, str]:
    """Answers `ok` as long as the process serves requests; for a container's liveness probe
    (loopback or the metrics token).
    """
    return {"status": "ok"}


@get("/health/ready", operation_id="healthReady", opt=OWN,
     summary="Database, key store and search index answer; outbox backlog")
async def ready() -> Response[health.Readiness]:
    """200 when the database, the key store and the search index answer, 503 otherwise; with the
    outbox backlog (loopback or the metrics token).
    """
    state = await health.readiness()
    return Response(state, status_code=200 if state.status == "ready" else 503,
                    headers={"Cache-Control": "no-store"})


@get("/metrics", operation_id="metrics", opt=OWN, guards=[metrics_access],
     include_in_schema=False)
async def prometheus_metrics() -> Response[Any]:
    return Response(await metrics.exposition(), media_type=PROMETHEUS_TEXT,
                    headers={"Cache-Control": "no-store"})


ROUTES: list[Any] = [live, ready, prometheus_metrics]
