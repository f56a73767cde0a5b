"""A transaction on a borrowed connection that is given back on every path.

Piccolo's transactions give their connection back only when the commit or rollback succeeded.
A cancelled request, a lost server or a failing commit then leave it open for the garbage
collector. Both engines' transactions (`core.sqlite_pool`, `core.pg_engine`) take this
`__aenter__`/`__aexit__` and say how a connection is borrowed and given back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any


class GivesBackConnection:
    """Mixed in before a Piccolo transaction class."""

    if TYPE_CHECKING:
        _parent: Any
        _committed: bool
        _rolled_back: bool
        engine: Any
        connection: Any
        context: Any

        async def begin(self) -> None: ...
        async def commit(self) -> None: ...
        async def rollback(self) -> None: ...

    async def _borrow(self) -> Any:
        raise NotImplementedError

    async def _give_back(self, failed: BaseException | None) -> None:
        """Return the connection; `failed`: what interrupted the transaction, if anything."""
        raise NotImplementedError

    async def __aenter__(self) -> Any:
        if self._parent is not None:
            return self._parent
        self.connection = await self._borrow()
        try:
            await self.begin()
        except BaseException as failed:
            await self._give_back(failed)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        failed: BaseException | None = None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        except BaseException as error:
            failed = error
            raise
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._give_back(failed)
        return exception is None
