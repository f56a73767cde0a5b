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


def _add(series: list[list[int]], length: int) -> list[int]:
    # Month by month through zip: a state's wide tables add up millions of monthly counts.
    return [sum(month) for month in zip(*series, strict=True)] if series else [0] * length


def _sum(values: list[Value], months: int) -> Value:
    series = _add([v.months for v in values], months)
    others = None
    if any(v.others is not None for v in values):
        others = _add([v.others or [0] * months for v in values], months)
    return Value(sum(series), series, others=others)


def build(rows: list[str], columns: list[str], monthly: dict[tuple[str, str], list[int]],
          months: int, others: dict[tuple[str, str], list[int]] | None = None) -> CountTable:
    """A table with its totals from monthly counts per (row, column); missing cells count 0.
    `others`: the same counts over the rest of the network (for an organisation's view)."""
    table = CountTable(rows=list(rows), columns=list(columns))
    zero = [0] * months
    for r in rows:
        for c in columns:
            series = list(monthly.get((r, c), zero))
            rest = None if others is None else list(others.get((r, c), zero))
            table.cells[(r, c)] = Value(sum(series), series, others=rest)
    for r in rows:
        table.row_totals[r] = _sum([table.cells[(r, c)] for c in columns], months)
    for c in columns:
        table.column_totals[c] = _sum([table.cells[(r, c)] for r in rows], months)
    table.total = _sum(list(table.row_totals.values()), months)
    return table


def _relations(table: CountTable) -> list[tuple[Value, list[Value]]]:
    """Each sum the table states: (total, its parts)."""
    relations = [(table.row_totals[r], [table.cells[(r, c)] for c in table.columns])
                 for r in table.rows]
    relations += [(table.column_totals[c], [table.cells[(r, c)] for r in table.rows])
                  for c in table.columns]
    relations.append((table.total, [table.row_totals[r] for r in table.rows]))
    relations.append((table.total, [table.column_totals[c] for c in table.columns]))
    return relations


def _pinned(total: Value, parts: list[Value]) -> bool:
    """True when some hidden member of `total = sum(parts)` follows from the visible ones."""
    members = [total, *parts]
    hidden = [m for m in members if m.hidden]
    if not hidden:
        return False
    if len(hidden) == 1:
        return True
    if total.hidden:
        # The sum itself is unknown: the parts' bounds alone pin nothing narrower than them.
        return False
    rest = total.count - sum(p.count for p in parts if not p.hidden)
    bounds = [(p, *p.bounds()) for p in parts if p.hidden]
    lows, highs = sum(b[1] for b in bounds), sum(b[2] for b in bounds)
    for part, part_low, part_high in bounds:
        if part.mark is not Mark.SMALL:
            continue
        # What the others' bounds leave for this part.
        low = max(1, rest - (highs - part_high))
        high = min(THRESHOLD - 1, rest - (lows - part_low))
        if high - low < 1:
            return True
    return False


def _hide_another(total: Value, parts: list[Value]) -> Value | None:
    """Hide the smallest visible non-zero part (else the total, else a zero part)."""
    visible = [p for p in parts if not p.hidden]
    nonzero = [p for p in visible if p.count]
    chosen = min(nonzero, key=lambda p: p.count) if nonzero else None
    if chosen is None and not total.hidden:
        chosen = total
    if chosen is None and visible:
        chosen = visible[0]
    if chosen is not None:
        chosen.mark = Mark.SECONDARY
    return chosen


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
    seen: set[int] = set()
    for total, parts in relations:
        for value in (total, *parts):
            if id(value) not in seen:
                seen.add(id(value))
                _primary(value)
    member_of: dict[int, list[int]] = {}
    for index, (total, parts) in enumerate(relations):
        for value in (total, *parts):
            member_of.setdefault(id(value), []).append(index)
    waiting = list(range(len(relations)))
    queued = set(waiting)
    while waiting:
        index = waiting.pop()
        queued.discard(index)
        total, parts = relations[index]
        if not _pinned(total, parts):
            continue
        hidden = _hide_another(total, parts)
        if hidden is None:
            continue
        for other in (*member_of[id(hidden)], index):
            if other not in queued:
                queued.add(other)
                waiting.append(other)


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
