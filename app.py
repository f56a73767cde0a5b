"""The Litestar application factory: the domains of `domains.py` give routes, consumers, hooks."""

from __future__ import annotations

import atexit
import gc
import logging
from pathlib import Path

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.exceptions import HTTPException
from litestar.logging import LoggingConfig
from litestar.logging.standard import QueueListenerHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from piccolo.engine.postgres import PostgresEngine

import domains
from accounts.guards import authenticated, csrf_protected
from accounts.middleware import AuthMiddleware
from core import logs, pubsub
from core.db import engine
from core.openapi import document_errors
from core.request_id import RequestIdMiddleware, answer_unrouted
from core.security_headers import add_security_headers
from core.sqlite_pool import PooledSQLiteEngine
from core.templates import template_config
from core.web import http_error, malformed_body, unexpected_error
from operations.metrics import RequestMetricsMiddleware
from settings import get_settings

STATIC_DIR = Path(__file__).resolve().parent / "core" / "static"


def create_app() -> Litestar:
    settings = get_settings()
    logs.stamp_request_ids()
    domains.install()
    routes = domains.routes()
    domain_startup, domain_shutdown = domains.startup_hooks(), domains.shutdown_hooks()
    # With LOTSE_RUN_DISPATCHER, this process competes for the duty: one process of the
    # installation delivers the outbox, writes the search index and runs the periodic jobs.
    duty = domains.duty() if settings.run_dispatcher else None

    async def start(app: Litestar) -> None:
        db = engine()
        if isinstance(db, PostgresEngine) and settings.db_pool:
            await db.start_connection_pool(max_size=settings.db_pool_size)
        for hook in domain_startup:
            await hook(app)
        if duty is not None:
            duty.begin()
        # What start-up loaded (code, reference data: ~260,000 objects) lives as long as the
        # process; a full collection need not walk it again, each walk a pause of tens of ms.
        gc.collect()
        gc.freeze()

    async def stop(app: Litestar) -> None:
        if duty is not None:
            await duty.end()
        for hook in domain_shutdown:
            await hook(app)
        await pubsub.close()
        db = engine()
        if isinstance(db, PostgresEngine) and settings.db_pool:
            await db.close_connection_pool()
        if isinstance(db, PooledSQLiteEngine):
            await db.close_idle()

    replaced = [h for h in logging.getLogger().handlers if isinstance(h, QueueListenerHandler)]
    static = create_static_files_router(
        path="/static", directories=[STATIC_DIR], opt={"public": True}, include_in_schema=False,
    )
    app = Litestar(
        route_handlers=[*routes, static],
        # Outermost first: the request id is set before anything logs, the time taken by all.
        middleware=[RequestIdMiddleware, RequestMetricsMiddleware, AuthMiddleware()],
        before_send=[add_security_headers, answer_unrouted],
        guards=[authenticated, csrf_protected],
        template_config=template_config(),
        on_startup=[start],
        on_shutdown=[stop],
        exception_handlers={HTTPException: http_error, RecursionError: malformed_body,
                            UnicodeDecodeError: malformed_body, Exception: unexpected_error},
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=1024,
            # Level 5 makes answers about 2 % larger than level 9 at a quarter of the time.
            gzip_compress_level=5,
        ),
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            formatters={"standard": logs.formatter_config(settings.log_format)},
            log_exceptions="never",
        ),
        openapi_config=OpenAPIConfig(
            title="Lotse",
            version="1.0.0",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer",
                                             description="Per-user API token"),
                }
            ),
            security=[{"bearer": []}],
        ),
        debug=settings.debug,
    )
    document_errors(app)
    # The new logging set-up replaced the root's queue handler; the old one's thread would run
    # until the process ends (a test process makes hundreds of applications).
    for handler in replaced:
        if handler not in logging.getLogger().handlers:
            handler.listener.stop()
            atexit.unregister(handler.listener.stop)
    return app


logging.getLogger("lotse").setLevel(logging.INFO)
