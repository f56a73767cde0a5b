"""Consumers of outbox topics, subscribed when `domains.install` imports them.

`publish` writes one row per consumer of a topic, so a process that published before every
consumer was subscribed would lose events for the missing ones: it refuses instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec


class OutboxMessage(msgspec.Struct, frozen=True):
    id: int
    topic: str
    payload: dict[str, Any]
    attempts: int
    # X-Request-ID of the request that published it ("" for commands and jobs).
    request_id: str = ""


Handler = Callable[[list[OutboxMessage]], Awaitable[None]]


@dataclass(frozen=True)
class Consumer:
    name: str
    topics: tuple[str, ...]
    handler: Handler
    batch_size: int


_consumers: dict[str, Consumer] = {}
_sealed = False


class ConsumersNotInstalledError(RuntimeError):
    pass


def seal() -> None:
    """Every domain's consumers are subscribed: publishing may start."""
    global _sealed
    _sealed = True


def consumer(name: str, topics: list[str], batch_size: int = 50) -> Callable[[Handler], Handler]:
    """Subscribe `handler` to `topics`; it receives batches and must be idempotent."""

    def register(handler: Handler) -> Handler:
        _consumers[name] = Consumer(name, tuple(topics), handler, batch_size)
        return handler

    return register


def consumers() -> list[Consumer]:
    return list(_consumers.values())


def consumers_of(topic: str) -> list[Consumer]:
    if not _sealed:
        raise ConsumersNotInstalledError(
            "Outbox consumers are not installed: call domains.install() at start"
        )
    return [c for c in _consumers.values() if topic in c.topics]
