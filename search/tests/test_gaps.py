"""Searches without a free place, added up by month for the analysis."""

from __future__ import annotations

from datetime import date

from conftest import run
from search.gaps import NoPlaceMonth, no_place_by_month
from search.tables import NoPlaceSearch


def test_searches_without_a_place_add_up_by_month_between_the_days_asked(db: None) -> None:
    rows = [(date(2026, 1, 31), "sprache", "Altstadt", 2), (date(2026, 1, 3), "sprache",
                                                             "Altstadt", 3),
            (date(2026, 2, 1), "sprache", "Altstadt", 4), (date(2026, 2, 1), "wohnen", "", 1),
            (date(2026, 3, 1), "sprache", "Altstadt", 9)]
    run(NoPlaceSearch.insert(*[NoPlaceSearch(day=d, category=c, district=w, searches=n)
                               for d, c, w, n in rows]))
    assert run(no_place_by_month(date(2026, 1, 1), date(2026, 2, 28))) == [
        NoPlaceMonth(category="sprache", district="Altstadt", month="2026-01", searches=5),
        NoPlaceMonth(category="sprache", district="Altstadt", month="2026-02", searches=4),
        NoPlaceMonth(category="wohnen", district="", month="2026-02", searches=1)]
