"""Prometheus metrics: requests by route template, and figures read from the database at scrape.

Labels hold only route templates, methods, status codes, consumer names and referral states,
never a path with ids in it or anything about a person. The figures from the database (outbox,
referrals, capacity, keys) are the same whichever process answers the scrape; the request
counters belong to the process (with `--workers N` each worker counts its own requests).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from clients import api as clients
from directory import api as directory
from outbox import stats
from referrals import api as referrals
from search import runtime as search

log = logging.getLogger("lotse.metrics")

REGISTRY = CollectorRegistry()
# The consumer that keeps the search index: its backlog is the index's lag behind the database.
SEARCH_CONSUMER = "search-indexer"
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUESTS = Counter(
    "lotse_http_requests", "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"], registry=REGISTRY,
)
DURATION = Histogram(
    "lotse_http_request_duration_seconds", "Time to answer, by method and route template.",
    ["method", "route"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


class RequestMetricsMiddleware:
    """Counts and times every routed request under its route template (`/api/offers/{id}`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            method = scope.get("method", "")
            method = method if method in _METHODS else "OTHER"
            route = scope.get("path_template") or "unmatched"
            REQUESTS.labels(method, route, str(status)).inc()
            DURATION.labels(method, route).observe(time.perf_counter() - started)


class _Figures(Collector):
    """The figures of the latest scrape, gathered beforehand by `refresh` (collect is sync)."""

    def __init__(self) -> None:
        self.families: list[Metric] = []

    def collect(self) -> Iterable[Metric]:
        return list(self.families)


_figures = _Figures()
REGISTRY.register(_figures)


def _gauge(name: str, text: str, values: dict[str, float] | float, label: str = "") -> Metric:
    if isinstance(values, dict):
        family = GaugeMetricFamily(name, text, labels=[label])
        for key, value in sorted(values.items()):
            family.add_metric([key], value)
        return family
    return GaugeMetricFamily(name, text, value=values)


async def _outbox_figures() -> list[Metric]:
    backlogs = await stats.backlog()
    lag = next((b.oldest_age for b in backlogs if b.consumer == SEARCH_CONSUMER), 0.0)
    return [
        _gauge("lotse_outbox_backlog", "Outbox events waiting for delivery, by consumer.",
               {b.consumer: b.pending for b in backlogs}, "consumer"),
        _gauge("lotse_outbox_oldest_event_age_seconds",
               "Age of the oldest event waiting for delivery, by consumer.",
               {b.consumer: b.oldest_age for b in backlogs}, "consumer"),
        _gauge("lotse_outbox_failing_events",
               "Waiting events whose last delivery failed, by consumer.",
               {b.consumer: b.failing for b in backlogs}, "consumer"),
        _gauge("lotse_outbox_dead_events",
               "Events given up after too many failed deliveries, by consumer.",
               {b.consumer: b.dead for b in backlogs}, "consumer"),
        _gauge("lotse_search_index_lag_seconds",
               "Age of the oldest change not yet in the search index.", lag),
    ]


async def _search_figures() -> list[Metric]:
    health = await asyncio.to_thread(lambda: search.get_engine().health())
    return [
        _gauge("lotse_search_up", "1 when the search index answers.", 1.0 if health.ok else 0.0),
        _gauge("lotse_search_documents", "Offers in the search index.", health.documents),
    ]


async def _domain_figures() -> list[Metric]:
    by_state = await referrals.count_by_state()
    offers, stale = await directory.capacity_staleness()
    keys = await clients.key_status()
    return [
        _gauge("lotse_referrals", "Referrals by state.", dict(by_state), "state"),
        _gauge("lotse_capacity_offers", "Offers that keep a count of free places.", offers),
        _gauge("lotse_capacity_stale_offers",
               "Offers whose free places were not confirmed within LOTSE_CAPACITY_STALE_DAYS.",
               stale),
        _gauge("lotse_client_keys", "Client keys by the master key that wraps them.",
               {"current": keys.current, "previous": keys.previous, "unknown": keys.unknown},
               "master_key"),
    ]


async def refresh() -> None:
    """Read the figures; a part that fails is left out (and logged), the rest still answers."""
    families: list[Metric] = []
    for part in (_outbox_figures, _search_figures, _domain_figures):
        try:
            families.extend(await part())
        except Exception as error:
            log.warning("metrics: %s failed: %s", part.__name__, type(error).__name__)
    _figures.families = families


async def exposition() -> bytes:
    await refresh()
    return generate_latest(REGISTRY)
