"""What a report is asked for (period, filters, whose referrals, language) and the labels of its
rows and columns in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from analysis.periods import Period
from directory import api as directory
from referrals import api as referrals

NEEDS: tuple[str, ...] = tuple(referrals.NEED_LABELS)
NO_VALUE = ""


@dataclass(frozen=True)
class Ask:
    period: Period
    lang: str
    gettext: Callable[[str], str]
    # "" means every district / need / offer category.
    district: str = ""
    need: str = ""
    category: str = ""
    scope: referrals.FigureScope = field(default_factory=referrals.FigureScope)
    # Counts fetched once per report: several figures read the same ones (`figures.twice`).
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def _(self, message: str) -> str:
        return self.gettext(message)

    @property
    def own(self) -> bool:
        """An organisation's own view (its referrals only) rather than the network's."""
        return bool(self.scope.senders or self.scope.recipients)

    @property
    def months(self) -> tuple[str, ...]:
        return self.period.months

    def keep_district(self, district: str) -> bool:
        return not self.district or district == self.district

    def keep_need(self, need: str) -> bool:
        return not self.need or need == self.need

    def keep_category(self, category: str) -> bool:
        return not self.category or category == self.category

    def need_rows(self, seen: set[str] | None = None) -> list[tuple[str, str]]:
        extra = sorted((seen or set()) - set(NEEDS))
        return [(n, self._(referrals.NEED_LABELS.get(n, n)) if n else self._("(none given)"))
                for n in (*NEEDS, *extra)]

    def district_columns(self, seen: set[str], known: list[str]) -> list[tuple[str, str]]:
        names = sorted(set(known) | {d for d in seen if d} | ({self.district} - {""}))
        columns = [(d, d) for d in names]
        if NO_VALUE in seen:
            columns.append((NO_VALUE, self._("(no district)")))
        return columns

    def category_rows(self, seen: set[str]) -> list[tuple[str, str]]:
        names = directory.category_names(self.lang)
        rows = [(c, name) for c, name in names.items()]
        rows += [(c, c) for c in sorted(seen - set(names)) if c]
        if NO_VALUE in seen:
            rows.append((NO_VALUE, self._("(no category)")))
        return rows

    def month_columns(self) -> list[tuple[str, str]]:
        return [(m, f"{m[5:]}/{m[:4]}") for m in self.months]

    @property
    def total_label(self) -> str:
        return self._("Total")


def top_category(code: str) -> str:
    return code.split(".", 1)[0]
