"""The rule of secondary suppression stated plainly, one sum at a time: what the suppression
queue (`analysis.suppression._Queue`) must agree with, and what a reader of a protected table
must not be able to work out."""

from __future__ import annotations

from analysis.suppression import THRESHOLD, Mark, Value


def pinned(total: Value, parts: list[Value]) -> bool:
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


def hide_another(total: Value, parts: list[Value]) -> Value | None:
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
