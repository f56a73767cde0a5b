"""Running an .ics import for a request: the body is read up to the size bound, and the file is
parsed and expanded in a worker thread, so one large calendar does not hold up other requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date
from functools import partial

import anyio.to_thread

from calendars.ics_import import IcsImportError, ImportLimits, ImportResult, import_calendar
from core.i18n import N_


class CalendarTooLargeError(IcsImportError):
    """The upload is over the size bound; answered 413 before it is parsed."""

    status_code = 413


def too_large(limits: ImportLimits) -> CalendarTooLargeError:
    return CalendarTooLargeError(
        N_("The calendar is larger than {size} KB; export a shorter period"),
        size=limits.max_bytes // 1000,
    )


async def read_bounded(
    chunks: AsyncIterator[bytes], limits: ImportLimits, declared: str | None = None
) -> bytes:
    """The body, or `CalendarTooLargeError` as soon as it passes the bound, not after."""
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise too_large(limits)
    body = bytearray()
    async for chunk in chunks:
        body.extend(chunk)
        if len(body) > limits.max_bytes:
            raise too_large(limits)
    return bytes(body)


def report_lines(result: ImportResult, gettext: Callable[[str], str], limit: int = 50) -> list[str]:
    """The notices in the reader's language; past `limit`, one line says how many are left."""
    lines = [notice.text(gettext) for notice in result.warnings[:limit]]
    if len(result.warnings) > limit:
        lines.append(
            gettext(N_("… and {count} more notes")).format(count=len(result.warnings) - limit)
        )
    return lines


async def read_calendar(
    data: bytes, today: date, kind: str, limits: ImportLimits
) -> ImportResult:
    """`import_calendar` in a worker thread; its errors arrive here as they were raised."""
    work = partial(import_calendar, data, today, kind=kind, limits=limits)
    return await anyio.to_thread.run_sync(work)
