"""The search domain's front door: what other domains may call.

    from search import api as search
    offers = await search.rebuild_index()
"""

from __future__ import annotations

from search import gaps
from search.indexing import rebuild_all
from search.runtime import close_engine, get_engine


async def rebuild_index() -> int:
    """Rebuild this installation's index from the database (after a restore); returns how many
    offers it holds. The engine is closed afterwards, so a server started later opens it anew."""
    try:
        return await rebuild_all(get_engine())
    finally:
        close_engine()


def close_index() -> None:
    """Close this process's index (and give up its writer): a command that wrote is done."""
    close_engine()


# Searches that found no free place, counted from their filters only (never the typed text).
NoPlaceMonth = gaps.NoPlaceMonth
no_place_by_month = gaps.no_place_by_month
