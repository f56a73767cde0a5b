"""Counts and durations over referrals for the analysis: grouped in the database, never a row
per referral, never a client, a pseudonym or a free text.

Every figure is over the referrals *sent* in a period (a cohort), grouped by the Berlin month
in which they were sent, so that later answers of a month's referrals land in that month. A
`Scope` narrows them to the referrals an organisation sent or received (the role views).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from core.db import is_sqlite
from referrals.tables import Referral


@dataclass(frozen=True)
class Scope:
    """Referrals sent by (or addressed to) these organisations; both empty: the whole network."""

    senders: frozenset[UUID] = field(default_factory=frozenset)
    recipients: frozenset[UUID] = field(default_factory=frozenset)


class SentCount(msgspec.Struct, frozen=True):
    need: str
    district: str
    month: str
    sent: int
    interpreter: int


class StateCount(msgspec.Struct, frozen=True):
    """Referrals of a group that reached `state` (with the reason the move was given)."""

    need: str
    district: str
    month: str
    state: str
    reason: str
    count: int


class ProviderCount(msgspec.Struct, frozen=True):
    """Referrals sent, answered, and answered by the deadline, of one group in one month."""

    group: str
    month: str
    sent: int
    answered: int
    in_time: int


class LanguageCount(msgspec.Struct, frozen=True):
    need: str
    month: str
    language: str
    count: int


class ChainCount(msgspec.Struct, frozen=True):
    """Referrals completed in a month, by need, and the need of the client's next referral
    ("" when there was none)."""

    done: str
    following: str
    month: str
    count: int


class WaitCount(msgspec.Struct, frozen=True):
    """Referrals of a need sent in a month that were given a place from the waitlist."""

    need: str
    month: str
    count: int


class Spread(msgspec.Struct, frozen=True):
    """Median and 90th percentile (nearest rank) of a duration in hours, over `count` cases."""

    group: str
    count: int
    median: float
    p90: float


def _month(column: str) -> str:
    if is_sqlite():
        return f"berlin_month({column})"
    return f"to_char({column} AT TIME ZONE 'Europe/Berlin', 'YYYY-MM')"


def _day(column: str) -> str:
    if is_sqlite():
        return f"berlin_day({column})"
    return f"to_char({column} AT TIME ZONE 'Europe/Berlin', 'YYYY-MM-DD')"


def _hours(later: str, earlier: str) -> str:
    if is_sqlite():
        return f"((julianday({later}) - julianday({earlier})) * 24.0)"
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 3600.0)"


def _where(start: datetime, end: datetime, scope: Scope, alias: str = "r",
           moment: str = "sent_at") -> tuple[str, list[Any]]:
    """The period and the scope as a WHERE clause with its arguments."""
    clause = f"{alias}.{moment} >= {{}} AND {alias}.{moment} < {{}}"
    args: list[Any] = [start, end]
    for column, ids in (("sender_organization", scope.senders),
                        ("recipient_organization", scope.recipients)):
        if ids:
            marks = ", ".join("{}" for _ in ids)
            clause += f" AND {alias}.{column} IN ({marks})"
            args.extend(sorted(ids, key=str))
    return clause, args


async def _rows(sql: str, args: list[Any]) -> list[dict[str, Any]]:
    return list(await Referral.raw(sql, *args))


async def sent_counts(start: datetime, end: datetime, scope: Scope) -> list[SentCount]:
    where, args = _where(start, end, scope)
    rows = await _rows(
        f"SELECT r.need_category AS need, r.district AS district, {_month('r.sent_at')} AS month,"
        " COUNT(*) AS sent,"
        " SUM(CASE WHEN r.interpreter_needed THEN 1 ELSE 0 END) AS interpreter"
        f" FROM referral r WHERE {where} GROUP BY 1, 2, 3", args)
    return [SentCount(need=r["need"], district=r["district"], month=r["month"],
                      sent=int(r["sent"]), interpreter=int(r["interpreter"] or 0)) for r in rows]


async def state_counts(start: datetime, end: datetime, scope: Scope) -> list[StateCount]:
    """How many referrals reached each state after `sent`, with the reasons given."""
    where, args = _where(start, end, scope)
    rows = await _rows(
        f"SELECT r.need_category AS need, r.district AS district, {_month('r.sent_at')} AS month,"
        " t.to_state AS state, t.reason AS reason, COUNT(*) AS n"
        " FROM referral_transition t JOIN referral r ON r.id = t.referral"
        f" WHERE {where} AND t.to_state NOT IN ('draft', 'sent')"
        " GROUP BY 1, 2, 3, 4, 5", args)
    return [StateCount(need=r["need"], district=r["district"], month=r["month"],
                       state=r["state"], reason=r["reason"] or "", count=int(r["n"]))
            for r in rows]


async def provider_counts(start: datetime, end: datetime, scope: Scope,
                          by: str) -> list[ProviderCount]:
    """Sent, answered and answered by the deadline, by receiving `"organization"`, by `"need"`
    or by `"need_district"`."""
    where, args = _where(start, end, scope)
    group = {"organization": "r.recipient_organization", "need": "r.need_category",
             # Need and district in one column, parted by the unit separator (monthly counts).
             "need_district": "r.need_category || {} || r.district".format(
                 "char(31)" if is_sqlite() else "chr(31)")}[by]
    in_time = f"{_day('r.answered_at')} <= CAST(r.answer_due AS TEXT)"
    if not is_sqlite():
        in_time = "(r.answered_at AT TIME ZONE 'Europe/Berlin')::date <= r.answer_due"
    rows = await _rows(
        f"SELECT {group} AS grp, {_month('r.sent_at')} AS month, COUNT(*) AS sent,"
        " SUM(CASE WHEN r.answered_at IS NOT NULL THEN 1 ELSE 0 END) AS answered,"
        " SUM(CASE WHEN r.answered_at IS NOT NULL AND r.answer_due IS NOT NULL"
        f" AND {in_time} THEN 1 ELSE 0 END) AS in_time"
        f" FROM referral r WHERE {where} GROUP BY 1, 2", args)
    return [ProviderCount(group=str(r["grp"]), month=r["month"], sent=int(r["sent"]),
                          answered=int(r["answered"] or 0), in_time=int(r["in_time"] or 0))
            for r in rows]


async def provider_counts_by_organization(start: datetime, end: datetime,
                                          scope: Scope) -> list[ProviderCount]:
    return await provider_counts(start, end, scope, "organization")


async def provider_counts_by_need(start: datetime, end: datetime,
                                  scope: Scope) -> list[ProviderCount]:
    return await provider_counts(start, end, scope, "need")


async def language_counts(start: datetime, end: datetime, scope: Scope) -> list[LanguageCount]:
    """Referrals by need and by each language the client speaks."""
    where, args = _where(start, end, scope)
    if is_sqlite():
        source = "referral r, json_each(r.languages) l"
    else:
        source = "referral r CROSS JOIN LATERAL json_array_elements_text(r.languages) AS l(value)"
    rows = await _rows(
        f"SELECT r.need_category AS need, {_month('r.sent_at')} AS month, l.value AS language,"
        f" COUNT(*) AS n FROM {source} WHERE {where} GROUP BY 1, 2, 3", args)
    return [LanguageCount(need=r["need"], month=r["month"], language=str(r["language"]),
                          count=int(r["n"])) for r in rows]


async def chain_counts(start: datetime, end: datetime, scope: Scope) -> list[ChainCount]:
    """Referrals completed in the period and the need the same client was referred to next."""
    # Completion, not sending, places a chain in the period.
    where, args = _where(start, end, scope, alias="a", moment="closed_at")
    rows = await _rows(
        "SELECT a.need_category AS done, COALESCE((SELECT b.need_category FROM referral b"
        " WHERE b.client = a.client AND b.sent_at > a.closed_at"
        " ORDER BY b.sent_at LIMIT 1), '') AS following,"
        f" {_month('a.closed_at')} AS month, COUNT(*) AS n"
        f" FROM referral a WHERE a.state = 'completed' AND {where} GROUP BY 1, 2, 3", args)
    return [ChainCount(done=r["done"], following=r["following"], month=r["month"],
                       count=int(r["n"])) for r in rows]


def nearest_rank(sorted_values: list[float], share: float) -> float:
    """The smallest value with at least `share` of all values at or below it."""
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def _spread_of(group: str, values: list[float]) -> Spread:
    values.sort()
    return Spread(group=group, count=len(values), median=nearest_rank(values, 0.5),
                  p90=nearest_rank(values, 0.9))


async def _spreads(groups: dict[str, str], hours: str, source: str, where: str,
                   args: list[Any]) -> dict[str, list[Spread]]:
    """Spreads of `hours` for each grouping in `groups` (name -> SQL expression)."""
    result: dict[str, list[Spread]] = {}
    if not is_sqlite():
        for name, expression in groups.items():
            rows = await _rows(
                f"SELECT {expression} AS grp, COUNT(*) AS n,"
                f" percentile_disc(0.5) WITHIN GROUP (ORDER BY {hours}) AS median,"
                f" percentile_disc(0.9) WITHIN GROUP (ORDER BY {hours}) AS p90"
                f" FROM {source} WHERE {where} GROUP BY 1", args)
            result[name] = [Spread(group=str(r["grp"]), count=int(r["n"]),
                                   median=float(r["median"]), p90=float(r["p90"]))
                            for r in rows]
        return result
    # SQLite has no percentiles: the durations of a city's year are few enough to sort here,
    # fetched once for every grouping.
    names = list(groups)
    selected = ", ".join(f"{groups[n]} AS g{i}" for i, n in enumerate(names))
    rows = await _rows(f"SELECT {selected}, {hours} AS h FROM {source} WHERE {where}", args)
    for i, name in enumerate(names):
        grouped: dict[str, list[float]] = defaultdict(list)
        for row in rows:
            grouped[str(row[f"g{i}"])].append(float(row["h"]))
        result[name] = [_spread_of(group, values) for group, values in grouped.items()]
    return result


async def answer_spreads(start: datetime, end: datetime, scope: Scope
                         ) -> dict[str, list[Spread]]:
    """Hours from sending to the answer, by `"need"` and by receiving `"organization"`."""
    where, args = _where(start, end, scope)
    return await _spreads({"need": "r.need_category",
                           "organization": "r.recipient_organization"},
                          _hours("r.answered_at", "r.sent_at"), "referral r",
                          f"{where} AND r.answered_at IS NOT NULL", args)


async def wait_spreads(start: datetime, end: datetime, scope: Scope) -> list[Spread]:
    """Hours from the waitlist to a place (accepted), by need."""
    where, args = _where(start, end, scope)
    source = ("referral r JOIN referral_transition t ON t.referral = r.id"
              " AND t.from_state = 'waitlisted' AND t.to_state = 'accepted'")
    found = await _spreads({"need": "r.need_category"}, _hours("t.at", "r.waitlisted_at"),
                           source, f"{where} AND r.waitlisted_at IS NOT NULL", args)
    return found["need"]


async def wait_counts(start: datetime, end: datetime, scope: Scope) -> list[WaitCount]:
    """How many waits `wait_spreads` measures, by need and month (for the suppression rule)."""
    where, args = _where(start, end, scope)
    rows = await _rows(
        f"SELECT r.need_category AS need, {_month('r.sent_at')} AS month, COUNT(*) AS n"
        " FROM referral r JOIN referral_transition t ON t.referral = r.id"
        " AND t.from_state = 'waitlisted' AND t.to_state = 'accepted'"
        f" WHERE {where} AND r.waitlisted_at IS NOT NULL GROUP BY 1, 2", args)
    return [WaitCount(need=r["need"], month=r["month"], count=int(r["n"])) for r in rows]
