"""Tables of the search domain."""

from __future__ import annotations

from piccolo.columns import UUID, Date, Integer, Varchar
from piccolo.table import Table


class NoPlaceSearch(Table):
    """How many searches found no offer with a free place or an open waitlist, per day,
    category and district (empty: the search had no such filter). Holds no personal data:
    it feeds the gap report to the steering group."""

    id = UUID(primary_key=True)
    day = Date(index=True)
    category = Varchar(length=100, default="")
    district = Varchar(length=100, default="")
    searches = Integer(default=0)
