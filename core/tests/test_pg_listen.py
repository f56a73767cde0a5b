"""The LISTEN connection belongs to the event loop that made it: a test process serves from a
thread with a loop of its own, and must never use or close that loop's connection."""

from __future__ import annotations

import asyncio
import threading

from core.pg_listen import PgListener, close_process_listener, process_listener

DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _in_another_loop() -> tuple[asyncio.AbstractEventLoop, threading.Thread]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    return loop, thread


def _on(loop: asyncio.AbstractEventLoop, work: object) -> object:
    return asyncio.run_coroutine_threadsafe(work, loop).result(timeout=10)  # type: ignore[arg-type]


def test_each_event_loop_has_its_own_listener_and_closes_only_its_own() -> None:
    server_loop, thread = _in_another_loop()

    async def current() -> PgListener:
        return process_listener(DSN)

    try:
        servers = _on(server_loop, current())
        assert _on(server_loop, current()) is servers

        async def here_then_close() -> PgListener:
            mine = process_listener(DSN)
            await close_process_listener()
            return mine

        mine = asyncio.run(here_then_close())
        assert mine is not servers
        # Closing this loop's listener left the server loop's in place.
        assert _on(server_loop, current()) is servers
    finally:
        _on(server_loop, close_process_listener())
        server_loop.call_soon_threadsafe(server_loop.stop)
        thread.join(timeout=10)
        server_loop.close()
