"""An honest Last-Modified for the public feeds: the moment a feed's current content (its ETag)
was first served, kept per feed address and language in the database so that every process
gives the same answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from calendars.tables import FeedVersion

SECOND = timedelta(seconds=1)


async def last_modified(key: str, etag: str) -> datetime:
    """When the content behind `key` last changed; records `etag` as new content if it is."""
    row = await FeedVersion.select(FeedVersion.etag, FeedVersion.changed_at).where(
        FeedVersion.key == key
    ).first()
    if row is not None and row["etag"] == etag:
        return _aware(row["changed_at"])
    changed = datetime.now(UTC).replace(microsecond=0)
    if row is not None:
        # HTTP dates count whole seconds: a second change within one second must still carry a
        # later stamp, or a cache asking If-Modified-Since would keep the first version.
        changed = max(changed, _aware(row["changed_at"]) + SECOND)
    await FeedVersion.insert(FeedVersion(key=key, etag=etag, changed_at=changed)).on_conflict(
        target=FeedVersion.key,
        action="DO UPDATE",
        values=[FeedVersion.etag, FeedVersion.changed_at],
    )
    return changed


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
