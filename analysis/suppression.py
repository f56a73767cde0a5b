"""The rule that keeps every person unidentifiable in the analysis: which counts are hidden.

Pure: no database, no framework. Every table the analysis shows, exports or returns as JSON is a
`CountTable` (rows x columns with their totals, each value with its count per month) that passes
through `protect` first. Three steps:

1. *Primary*: a value counting 1 to 4 clients or referrals is shown as "< 5".
2. *Months*: a value over several months is hidden when one of its months counts 1 to 4.
   Reports of overlapping periods (January to March, January to February) could otherwise be
   subtracted to give the small month (March). Every published value is then a sum of monthly
   counts that are each 0 or at least 5, so no sum or difference of them isolates a small one.
3. *Secondary*: within each row, each column and the totals, a hidden value must not follow
   from the others and the total. Where it would (one hidden value in a sum, or a small value
   pinned to a single number by its bounds), the smallest other value is hidden as well.

Filters (district, category) pick rows and columns of a table protected as a whole, so a
filtered report shows nothing that the unfiltered one hides. An organisation's own figures,
shown beside the network's, carry the rest of the network (`others`) along: a value is also
hidden when the network minus it would count 1 to 4 in some month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

THRESHOLD = 5
SMALL_TEXT = "< 5"
HIDDEN_TEXT = "•"
# A hidden value is never taken to be above this by the bounds check.
UNBOUNDED = 10**12


class Mark(StrEnum):
    SHOWN = "shown"
    SMALL = "small"        # counts 1 to 4: shown as "< 5"
    MONTH = "month"        # one of its months counts 1 to 4
    REST = "rest"          # the network minus this value counts 1 to 4 in some month
    SECONDARY = "secondary"  # hidden so that totals do not reveal another value


def is_small(value: int) -> bool:
    return 0 < value < THRESHOLD


@dataclass
class Value:
    count: int
    months: list[int]
    mark: Mark = Mark.SHOWN
    # For an organisation's own figures: the same count over the rest of the network.
    others: list[int] | None = None

    @property
    def hidden(self) -> bool:
        return self.mark is not Mark.SHOWN

    @property
    def text(self) -> str:
        if self.mark is Mark.SMALL:
            return SMALL_TEXT
        if self.hidden:
            return HIDDEN_TEXT
        return str(self.count)

    @property
    def public(self) -> int | None:
        """The count as it may leave the system: None when hidden."""
        return None if self.hidden else self.count

    def bounds(self) -> tuple[int, int]:
        """What a reader knows of a hidden value from its mark alone."""
        if self.mark is Mark.SMALL:
            return 1, THRESHOLD - 1
        # Conservative: the reader is assumed to know whether a hidden value is 0 or >= 5.
        return (THRESHOLD, UNBOUNDED) if self.count else (0, 0)


@dataclass
class CountTable:
    """Counts by row and column, each with its series of monthly counts (oldest first)."""

    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], Value] = field(default_factory=dict)
    row_totals: dict[str, Value] = field(default_factory=dict)
    column_totals: dict[str, Value] = field(default_factory=dict)
    total: Value = field(default_factory=lambda: Value(0, []))

    def cell(self, row: str, column: str) -> Value:
        return self.cells[(row, column)]


def build(rows: list[str], columns: list[str], monthly: dict[tuple[str, str], list[int]],
          months: int, others: dict[tuple[str, str], list[int]] | None = None) -> CountTable:
    """A table with its totals from monthly counts per (row, column); missing cells count 0.
    `others`: the same counts over the rest of the network (for an organisation's view)."""
    table = CountTable(rows=list(rows), columns=list(columns))
    # Rows x columns x months at once: a state's tables hold millions of monthly counts.
    grid = _grid(rows, columns, monthly, months)
    rest = None if others is None else _grid(rows, columns, others, months)
    for i, r in enumerate(rows):
        series, counts = grid[i].tolist(), grid[i].sum(axis=1).tolist()
        rest_row = None if rest is None else rest[i].tolist()
        for j, c in enumerate(columns):
            table.cells[(r, c)] = Value(counts[j], series[j],
                                        others=None if rest_row is None else rest_row[j])
    for i, r in enumerate(rows):
        table.row_totals[r] = _total(grid[i].sum(axis=0), None if rest is None
                                     else rest[i].sum(axis=0))
    for j, c in enumerate(columns):
        table.column_totals[c] = _total(grid[:, j].sum(axis=0), None if rest is None
                                        else rest[:, j].sum(axis=0))
    table.total = _total(grid.sum(axis=(0, 1)), None if rest is None
                         else rest.sum(axis=(0, 1)))
    return table


def _grid(rows: list[str], columns: list[str], monthly: dict[tuple[str, str], list[int]],
          months: int) -> np.ndarray:
    grid = np.zeros((len(rows), len(columns), months), dtype=np.int64)
    place_row = {r: i for i, r in enumerate(rows)}
    place_column = {c: j for j, c in enumerate(columns)}
    for (r, c), series in monthly.items():
        if r in place_row and c in place_column:
            grid[place_row[r], place_column[c]] = series
    # A name given twice stands twice, each with the same counts.
    if len(place_row) < len(rows) or len(place_column) < len(columns):
        for i, r in enumerate(rows):
            for j, c in enumerate(columns):
                grid[i, j] = monthly.get((r, c), [0] * months)
    return grid


def _total(series: np.ndarray, others: np.ndarray | None) -> Value:
    months = series.tolist()
    return Value(sum(months), months, others=None if others is None else others.tolist())


def _relations(table: CountTable) -> list[tuple[Value, list[Value]]]:
    """Each sum the table states: (total, its parts)."""
    relations = [(table.row_totals[r], [table.cells[(r, c)] for c in table.columns])
                 for r in table.rows]
    relations += [(table.column_totals[c], [table.cells[(r, c)] for r in table.rows])
                  for c in table.columns]
    relations.append((table.total, [table.row_totals[r] for r in table.rows]))
    relations.append((table.total, [table.column_totals[c] for c in table.columns]))
    return relations


def protect(table: CountTable) -> CountTable:
    """Apply the three steps (module docstring) to every value of the table, in place."""
    protect_together([table])
    return table


Sum = tuple[Value, list[Value]]


def protect_together(tables: list[CountTable], shared: list[Sum] | None = None) -> None:
    """Protect tables that share totals as one: `shared` states sums across them (a value of
    one table that is the sum of values of others, or the same count twice as a sum of one).
    A reader who holds every table learns no more than from each alone: a value hidden in one
    is hidden where another table states it, and their sums are checked together.

    Secondary suppression works through a queue of sums: hiding a value puts back only the
    sums it belongs to, so a wide table (hundreds of districts) takes one pass, not hundreds."""
    relations: list[Sum] = [*(r for t in tables for r in _relations(t)), *(shared or [])]
    _Queue(relations).run()


class _Queue:
    """The rule checked for every sum (stated plainly in `analysis/tests/suppression_rule.py`:
    `pinned`, `hide_another`), with what it reads kept per sum (hidden
    members, the visible parts' sum, the hidden parts' bounds) and updated as values are
    hidden: a check costs the same for a sum of 500 districts as for one of two."""

    def __init__(self, relations: list[Sum]) -> None:
        self.relations = relations
        place: dict[int, int] = {}
        self.values: list[Value] = []
        members: list[list[int]] = []
        for total, parts in relations:
            ids = []
            for value in (total, *parts):
                key = id(value)
                if key not in place:
                    place[key] = len(self.values)
                    self.values.append(value)
                ids.append(place[key])
            members.append(ids)
        self.members = members
        self.marks = _primary_all(self.values)
        self.counts = [v.count for v in self.values]
        # Every slot of every sum, flat and in order: (sum, value, whether it is the total).
        sizes = np.array([len(ids) for ids in members], dtype=np.int64)
        slot_sum = np.repeat(np.arange(len(members)), sizes)
        slot_value = np.array([v for ids in members for v in ids], dtype=np.int64)
        is_total = np.zeros(len(slot_value), dtype=bool)
        is_total[np.cumsum(sizes) - sizes] = True
        # Each value's slots, in the sums' order (pushed back in that order when it is hidden).
        by_value = np.argsort(slot_value, kind="stable")
        self._sums_of = slot_sum[by_value].tolist()
        self._as_total = is_total[by_value].tolist()
        self._starts = np.searchsorted(slot_value[by_value],
                                       np.arange(len(self.values) + 1)).tolist()
        codes = np.array([_CODES[m] for m in self.marks], dtype=np.int64)
        counts = np.array(self.counts, dtype=np.int64)
        hidden = codes[slot_value] != 0
        small = codes[slot_value] == _CODES[Mark.SMALL]
        part, slot_counts = ~is_total, counts[slot_value]
        n = len(members)

        def per_sum(weights: np.ndarray) -> list[int]:
            return np.bincount(slot_sum, weights=weights, minlength=n).astype(np.int64).tolist()

        self.total_hidden = per_sum((hidden & is_total).astype(np.float64))
        self.hidden_members = per_sum(hidden.astype(np.float64))
        self.small_parts = per_sum((small & part).astype(np.float64))
        self.visible_sum = per_sum(np.where(part & ~hidden, slot_counts, 0).astype(np.float64))
        # Bounds of hidden parts (see `Value.bounds`); the sums stay below 2**53, exact here.
        other = part & hidden & ~small
        self.lows = per_sum(np.where(small & part, 1, np.where(
            other & (slot_counts > 0), THRESHOLD, 0)).astype(np.float64))
        self.highs = per_sum(np.where(small & part, THRESHOLD - 1, np.where(
            other & (slot_counts > 0), UNBOUNDED, 0)).astype(np.float64))

    def member_of(self, value: int) -> list[tuple[int, bool]]:
        """The sums `value` stands in (once a slot, in their order) and whether as the total."""
        first, after = self._starts[value], self._starts[value + 1]
        return list(zip(self._sums_of[first:after], self._as_total[first:after], strict=True))

    def pinned(self, index: int) -> bool:
        """Whether some hidden member of the sum follows from the visible ones, from what is
        kept for it."""
        hidden = self.hidden_members[index]
        if hidden <= 1:
            return hidden == 1
        if self.total_hidden[index] or not self.small_parts[index]:
            return False
        rest = self.counts[self.members[index][0]] - self.visible_sum[index]
        # Every small part has the same bounds, so what is left for one is left for each.
        low = max(1, rest - (self.highs[index] - (THRESHOLD - 1)))
        high = min(THRESHOLD - 1, rest - (self.lows[index] - 1))
        return high - low < 1

    def hide_another(self, index: int) -> list[int] | None:
        """Hide the smallest visible non-zero part, else the total, else the first
        visible part. Returns the sums the hidden value stands in."""
        ids = self.members[index]
        marks, counts = self.marks, self.counts
        chosen, first_visible = None, None
        for part in ids[1:]:
            if marks[part] is not Mark.SHOWN:
                continue
            if first_visible is None:
                first_visible = part
            if counts[part] and (chosen is None or counts[part] < counts[chosen]):
                chosen = part
        if chosen is None and marks[ids[0]] is Mark.SHOWN:
            chosen = ids[0]
        if chosen is None:
            chosen = first_visible
        return None if chosen is None else self._hide(chosen)

    def _hide(self, value: int) -> list[int]:
        """Hide the value; returns the sums it stands in."""
        self.marks[value] = Mark.SECONDARY
        count = self.counts[value]
        found = []
        for index, as_total in self.member_of(value):
            found.append(index)
            self.hidden_members[index] += 1
            if as_total:
                self.total_hidden[index] = True
                continue
            self.visible_sum[index] -= count
            self.lows[index] += THRESHOLD if count else 0
            self.highs[index] += UNBOUNDED if count else 0
        return found

    def run(self) -> None:
        waiting = list(range(len(self.relations)))
        queued = [True] * len(waiting)
        while waiting:
            index = waiting.pop()
            queued[index] = False
            if not self.pinned(index):
                continue
            sums = self.hide_another(index)
            if sums is None:
                continue
            for other in (*sums, index):
                if not queued[other]:
                    queued[other] = True
                    waiting.append(other)
        for value, mark in zip(self.values, self.marks, strict=True):
            value.mark = mark


_CODES = {Mark.SHOWN: 0, Mark.SMALL: 1, Mark.MONTH: 2, Mark.REST: 3, Mark.SECONDARY: 4}


def _primary_all(values: list[Value]) -> list[Mark]:
    """`_primary` of every value at once (same months for all), else one by one."""
    lengths = {len(v.months) for v in values}
    with_others = [v.others is not None for v in values]
    other_lengths = {len(v.others) for v in values if v.others is not None}
    if len(lengths) != 1 or len(other_lengths) > 1 or (any(with_others)
                                                       and not all(with_others)):
        for value in values:
            _primary(value)
        return [v.mark for v in values]
    months = lengths.pop()
    counts = np.array([v.count for v in values], dtype=np.int64)
    grid = np.array([v.months for v in values], dtype=np.int64).reshape(len(values), months)
    small = (counts > 0) & (counts < THRESHOLD)
    month = ((grid > 0) & (grid < THRESHOLD)).any(axis=1) & (months > 1)
    rest = np.zeros(len(values), dtype=bool)
    if values and with_others[0]:
        others = np.array([v.others for v in values], dtype=np.int64).reshape(len(values), -1)
        whole = others.sum(axis=1)
        rest = ((whole > 0) & (whole < THRESHOLD)) | ((others > 0) & (others < THRESHOLD)).any(
            axis=1)
    chosen = np.select([small, month, rest], [1, 2, 3], 0).tolist()
    marks = (None, Mark.SMALL, Mark.MONTH, Mark.REST)
    return [marks[c] or v.mark for c, v in zip(chosen, values, strict=True)]


def _primary(value: Value) -> None:
    if is_small(value.count):
        value.mark = Mark.SMALL
    elif len(value.months) > 1 and any(0 < m < THRESHOLD for m in value.months):
        value.mark = Mark.MONTH
    elif value.others is not None and (is_small(sum(value.others))
                                       or any(is_small(m) for m in value.others)):
        value.mark = Mark.REST


def protect_series(months: list[int], others: list[int] | None = None) -> Value:
    """One count over a period, without totals beside it (steps 1 and 2)."""
    value = Value(sum(months), list(months), others=others)
    _primary(value)
    return value


def safe_share(part_months: list[int], whole_months: list[int]) -> float | None:
    """part / whole, or None when the share would let a reader compute a small count: the whole
    must count at least 5, and in no month may the part or the rest count 1 to 4."""
    whole = sum(whole_months)
    if whole < THRESHOLD:
        return None
    rest = [w - p for p, w in zip(part_months, whole_months, strict=True)]
    if any(is_small(m) for m in part_months) or any(is_small(m) for m in rest):
        return None
    return sum(part_months) / whole
