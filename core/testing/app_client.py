"""A test client over an application that several clients share in turn and at once.

Building the application registers every handler (about 0.2 s); the suite builds it once. Litestar's
own lifespan enters the app's event emitter, which two clients open at once (a test's `client`
and its `api_client`) cannot leave in any order; this client runs the start-up and shut-down hooks
itself, which is all the lifespan does for Lotse.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any, Self

from litestar.testing import TestClient


class SharedAppClient(TestClient):
    def __enter__(self) -> Self:
        with ExitStack() as stack:
            self.blocking_portal = portal = stack.enter_context(self.portal())

            @stack.callback
            def reset_portal() -> None:
                delattr(self, "blocking_portal")

            @stack.callback
            def shut_down() -> None:
                for hook in self.app.on_shutdown[::-1]:
                    portal.call(self.app._call_lifespan_hook, hook)

            for hook in self.app.on_startup:
                portal.call(self.app._call_lifespan_hook, hook)
            self.exit_stack = stack.pop_all()
        return self

    def __exit__(self, *args: Any) -> None:
        self.exit_stack.close()
