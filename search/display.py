"""What the search page shows of a result: hits with badges, filter chips, facet lists."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from babel.numbers import format_decimal

from search.engine import OpenAt, SearchHit, SearchQuery, SearchResult
from search.labels import Labels
from search.params import WEEKDAYS

FACET_PARAMS = {
    "categories": "category",
    "languages": "language",
    "districts": "district",
    "target_groups": "target_group",
}
FLAG_PARAMS = {
    "free_of_charge": "free",
    "barrier_free": "barrier_free",
    "has_place_or_waitlist": "available",
}
MAX_FACET_VALUES = 30


@dataclass
class Badge:
    kind: str  # ok, warn, bad
    text: str


@dataclass
class HitView:
    id: str
    name: str
    provider: str
    categories: list[str]
    districts: list[str]
    languages: list[str]
    badges: list[Badge]
    capacity_note: str = ""
    stale: bool = False
    distance: str = ""
    next_start: str = ""


@dataclass
class Chip:
    label: str
    remove_url: str


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    checked: bool
    dom_id: str


@dataclass
class TopCategory:
    """A top category with the sub-categories under it, as one fold of the category filter."""

    top: FacetValue
    children: list[FacetValue] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        """Listed while it or one of its children has offers or is chosen."""
        return any(v.count or v.checked for v in [self.top, *self.children])

    @property
    def open(self) -> bool:
        return any(v.checked for v in self.children)


@dataclass
class FacetGroup:
    name: str
    param: str
    values: list[FacetValue] = field(default_factory=list)
    # Categories only: the values grouped under their top categories.
    tops: list[TopCategory] = field(default_factory=list)


def dom_id(param: str, value: str) -> str:
    """A stable element id for a facet value, so counts can be updated in place."""
    return f"{param}-{hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()[:10]}"


def hit_view(
    hit: SearchHit, labels: Labels, _: Any, ngettext: Any, today: date, stale_days: int
) -> HitView:
    doc = hit.document
    lang = labels.lang
    badges: list[Badge] = []
    note = ""
    stale = False
    if doc.free_places is not None:
        if doc.free_places > 0:
            text = ngettext("%(n)s free place", "%(n)s free places", doc.free_places)
            badges.append(Badge("ok", text % {"n": doc.free_places}))
        else:
            badges.append(Badge("bad", _("No free place")))
        if doc.waitlist_open:
            badges.append(Badge("warn", _("Waitlist open")))
        if doc.capacity_confirmed is not None:
            confirmed = format_date(doc.capacity_confirmed, format="medium", locale=lang)
            note = _("confirmed on %(date)s") % {"date": confirmed}
            stale = (today - doc.capacity_confirmed).days > stale_days
    if doc.free_of_charge:
        badges.append(Badge("ok", _("Free of charge")))
    if doc.barrier_free:
        badges.append(Badge("ok", _("Barrier-free")))
    distance = ""
    if hit.distance_km is not None:
        distance = f"{format_decimal(round(hit.distance_km, 1), '0.0', locale=lang)} km"
    next_start = ""
    if doc.next_start is not None:
        next_start = format_date(doc.next_start, format="medium", locale=lang)
    return HitView(
        id=str(doc.id),
        name=doc.name,
        provider=doc.organization_name,
        categories=[labels("categories", c) for c in doc.categories],
        districts=doc.districts,
        languages=[labels("languages", code) for code in doc.languages],
        badges=badges,
        capacity_note=note,
        stale=stale,
        distance=distance,
        next_start=next_start,
    )


def _pairs(query: SearchQuery) -> list[tuple[str, str]]:
    """The query as query-string pairs (without the page)."""
    pairs: list[tuple[str, str]] = []
    if query.text:
        pairs.append(("q", query.text))
    for facet, param in FACET_PARAMS.items():
        pairs += [(param, v) for v in getattr(query, facet)]
    if query.age is not None:
        pairs.append(("age", str(query.age)))
    for flag, param in FLAG_PARAMS.items():
        if getattr(query, flag):
            pairs.append((param, "true"))
    if query.open_at is not None:
        day, minute = query.open_at.weekday, query.open_at.minute
        if day is not None:
            pairs.append(("open_day", WEEKDAYS[day]))
        if minute is not None:
            pairs.append(("open_time", f"{minute // 60:02d}:{minute % 60:02d}"))
    # A typed place is kept as typed (the point is found again from it), else the point.
    if query.place:
        pairs.append(("place", query.place))
    elif query.near is not None:
        pairs += [("lat", str(query.near.latitude)), ("lon", str(query.near.longitude))]
    if (query.place or query.near is not None) and query.radius_km is not None:
        pairs.append(("radius_km", str(query.radius_km)))
    if query.sort != "relevance":
        pairs.append(("sort", query.sort))
    return pairs


def url_for(query: SearchQuery, without: tuple[str, str] | None = None, page: int = 1) -> str:
    pairs = [p for p in _pairs(query) if without is None or not _matches(p, without)]
    if page > 1:
        pairs.append(("page", str(page)))
    return "/search" + ("?" + urlencode(pairs) if pairs else "")


def _matches(pair: tuple[str, str], without: tuple[str, str]) -> bool:
    name, value = without
    if name in ("open", "near"):
        group = {"open": ("open_day", "open_time"),
                 "near": ("lat", "lon", "radius_km", "place")}[name]
        # Without a point there is no distance to sort by.
        return pair[0] in group or (name == "near" and pair == ("sort", "distance"))
    return pair[0] == name and (value == "*" or pair[1] == value)


def chips(query: SearchQuery, labels: Labels, _: Any) -> list[Chip]:
    """One chip per active filter, each with a link that removes it."""
    result: list[Chip] = []
    for facet, param in FACET_PARAMS.items():
        for value in getattr(query, facet):
            result.append(Chip(labels(facet, value), url_for(query, (param, value))))
    if query.age is not None:
        text = _("Age %(age)s") % {"age": query.age}
        result.append(Chip(text, url_for(query, ("age", "*"))))
    names = {
        "free_of_charge": _("Free of charge"),
        "barrier_free": _("Barrier-free"),
        "has_place_or_waitlist": _("Free place or open waitlist"),
    }
    for flag, param in FLAG_PARAMS.items():
        if getattr(query, flag):
            result.append(Chip(names[flag], url_for(query, (param, "*"))))
    if query.open_at is not None:
        result.append(Chip(_open_text(query.open_at, _), url_for(query, ("open", "*"))))
    km = format_decimal(query.radius_km or 0, locale=labels.lang)
    if query.place:
        if query.radius_km is not None:
            text = _("Within %(km)s km of %(place)s") % {"km": km, "place": query.place}
        else:
            text = _("Distance from %(place)s") % {"place": query.place}
        result.append(Chip(text, url_for(query, ("near", "*"))))
    elif query.near is not None and query.radius_km is not None:
        text = _("Within %(km)s km") % {"km": km}
        result.append(Chip(text, url_for(query, ("near", "*"))))
    return result


def _open_text(open_at: OpenAt, _: Any) -> str:
    days = (_("Mondays"), _("Tuesdays"), _("Wednesdays"), _("Thursdays"), _("Fridays"),
            _("Saturdays"), _("Sundays"))
    minute = open_at.minute
    time = "" if minute is None else f"{minute // 60:02d}:{minute % 60:02d}"
    if open_at.weekday is None:
        return _("Open daily at %(time)s") % {"time": time}
    if minute is None:
        return _("Open %(days)s") % {"days": days[open_at.weekday]}
    return _("Open %(days)s at %(time)s") % {"days": days[open_at.weekday], "time": time}


def facet_groups(
    query: SearchQuery, result: SearchResult, overall: SearchResult, labels: Labels
) -> list[FacetGroup]:
    """The facet lists beside the results: every value known in the index (the most frequent
    ones), with its count in the current results; chosen values always stay listed."""
    groups: list[FacetGroup] = []
    for facet, param in FACET_PARAMS.items():
        known = overall.facets.get(facet, {})
        chosen = list(getattr(query, facet))
        # Categories are folded by top category, so all of them fit; other lists are cut.
        most = len(known) if facet == "categories" else MAX_FACET_VALUES
        top = sorted(known, key=lambda v: (-known[v], labels(facet, v)))[:most]
        values = list(dict.fromkeys(chosen + sorted(top, key=lambda v: labels(facet, v))))
        counts = result.facets.get(facet, {})
        group = FacetGroup(name=facet, param=param)
        for value in values:
            group.values.append(
                FacetValue(
                    value=value,
                    label=labels(facet, value),
                    count=counts.get(value, 0),
                    checked=value in chosen,
                    dom_id=dom_id(param, value),
                )
            )
        if facet == "categories":
            group.tops = fold_by_top_category(group.values, labels)
        groups.append(group)
    return groups


def fold_by_top_category(values: list[FacetValue], labels: Labels) -> list[TopCategory]:
    """Each top category (by name) with its sub-categories (by name) under it. A sub-category
    whose top is not among the values gets a fold of its own."""
    by_code = {v.value: v for v in values}
    tops: dict[str, TopCategory] = {}
    for value in sorted(values, key=lambda v: v.label.casefold()):
        code = labels.top_of(value.value)
        if code not in by_code:
            code = value.value
        if code not in tops:
            tops[code] = TopCategory(top=by_code[code])
        if value is not tops[code].top:
            tops[code].children.append(value)
    return sorted(tops.values(), key=lambda t: t.top.label.casefold())
