"""The transactional outbox: one row per event and consumer, delivered after commit."""

from __future__ import annotations

from piccolo.columns import JSON, BigSerial, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxEvent(Table):
    id = BigSerial(primary_key=True)
    topic = Varchar(length=100)
    consumer = Varchar(length=100, index=True)
    payload = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())
    # When the next delivery attempt may run (moved forward on failure: back-off).
    available_at = Timestamptz(default=TimestamptzNow(), index=True)
    attempts = Integer(default=0)
    last_error = Text(default="")
    delivered_at = Timestamptz(null=True, default=None, index=True)
    # A dispatcher claims a row until this moment; a crashed claim expires by itself.
    locked_until = Timestamptz(null=True, default=None)
    locked_by = Varchar(length=100, null=True, default=None)
    # The request that wrote the event (X-Request-ID), logged again when it is delivered.
    request_id = Varchar(length=64, default="")
