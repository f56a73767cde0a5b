"""The suppression queue keeps what each sum needs and updates it as values are hidden; it must
hide exactly what checking every sum afresh with `suppression_rule` hides."""

from __future__ import annotations

import random

from analysis import suppression
from analysis.suppression import CountTable, Mark, Sum, Value, build
from analysis.tests import suppression_rule


def _plain_queue(tables: list[CountTable], shared: list[Sum]) -> None:
    """The rule as first written: every sum checked afresh from its values."""
    relations = [*(r for t in tables for r in suppression._relations(t)), *shared]
    seen: set[int] = set()
    for total, parts in relations:
        for value in (total, *parts):
            if id(value) not in seen:
                seen.add(id(value))
                suppression._primary(value)
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
        if not suppression_rule.pinned(total, parts):
            continue
        hidden = suppression_rule.hide_another(total, parts)
        if hidden is None:
            continue
        for other in (*member_of[id(hidden)], index):
            if other not in queued:
                queued.add(other)
                waiting.append(other)


def _values(table: CountTable) -> list[Value]:
    return [*table.cells.values(), *table.row_totals.values(), *table.column_totals.values(),
            table.total]


def _random_step(rng: random.Random, months: int, own: bool
                 ) -> tuple[list[CountTable], list[Sum]]:
    """A step's table and its reasons' tables (as the outcomes figure states them)."""
    rows = [f"r{i}" for i in range(rng.randint(1, 5))]
    columns = [f"c{i}" for i in range(rng.randint(1, 12))]
    counts = (0, 0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 30)
    reasons = []
    for _ in range(rng.randint(1, 3)):
        monthly = {(r, c): [rng.choice(counts) for _ in range(months)]
                   for r in rows for c in columns if rng.random() < 0.8}
        others = ({key: [rng.choice(counts) for _ in range(months)] for key in monthly}
                  if own else None)
        reasons.append((monthly, others))
    step_monthly: dict[tuple[str, str], list[int]] = {}
    step_others: dict[tuple[str, str], list[int]] = {}
    for monthly, others in reasons:
        for key, series in monthly.items():
            step_monthly[key] = [a + b for a, b in zip(step_monthly.get(key, [0] * months),
                                                       series, strict=True)]
            if others:
                step_others[key] = [a + b for a, b in zip(
                    step_others.get(key, [0] * months), others[key], strict=True)]
    step = build(rows, columns, step_monthly, months, step_others if own else None)
    parts = [build(rows, columns, monthly, months, others) for monthly, others in reasons]
    shared: list[Sum] = [(step.total, [p.total for p in parts])]
    shared += [(step.row_totals[r], [p.row_totals[r] for p in parts]) for r in rows]
    shared += [(step.cell(r, c), [p.cell(r, c) for p in parts]) for r in rows for c in columns]
    return [step, *parts], shared


def _twice(seed: int) -> tuple[list[Mark], list[Mark]]:
    marks = []
    for protect in (suppression.protect_together, _plain_queue):
        rng = random.Random(seed)
        months = rng.choice((1, 1, 3, 12))
        tables, shared = _random_step(rng, months, own=rng.random() < 0.3)
        protect(tables, shared)
        marks.append([v.mark for t in tables for v in _values(t)])
    return marks[0], marks[1]


def test_the_queue_hides_exactly_what_checking_every_sum_afresh_hides() -> None:
    for seed in range(300):
        kept, afresh = _twice(seed)
        assert kept == afresh, seed


def test_after_the_queue_no_hidden_value_follows_from_a_shared_sum() -> None:
    rng = random.Random(5)
    for _ in range(100):
        tables, shared = _random_step(rng, rng.choice((1, 4)), own=False)
        suppression.protect_together(tables, shared)
        for total, parts in [*(r for t in tables for r in suppression._relations(t)), *shared]:
            assert not suppression_rule.pinned(total, parts)


def test_tables_of_different_months_protected_together_hide_what_the_plain_queue_hides(
        ) -> None:
    for seed in range(60):
        marks = []
        for protect in (suppression.protect_together, _plain_queue):
            rng = random.Random(seed)
            tables: list[CountTable] = []
            for months, own in ((1, False), (3, True)):
                step, _shared = _random_step(rng, months, own)
                tables += step
            protect(tables, [])
            marks.append([v.mark for t in tables for v in _values(t)])
        assert marks[0] == marks[1], seed
