"""Taxonomy terms: categories (a tree) and target groups, told apart by their taxonomy."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from directory.outputs import TermRef
from directory.tables import TaxonomyTerm
from directory.taxonomy_data import TARGET_GROUP_PREFIX
from directory.taxonomy_data import TARGET_GROUPS_NAME as TARGET_GROUP_TAXONOMY

_COLUMNS = (
    TaxonomyTerm.id, TaxonomyTerm.code, TaxonomyTerm.name, TaxonomyTerm.name_en,
    TaxonomyTerm.parent, TaxonomyTerm.taxonomy.name,
)


def is_target_group(row: dict[str, Any]) -> bool:
    return str(row["code"]).startswith(TARGET_GROUP_PREFIX) or (
        row.get("taxonomy.name") == TARGET_GROUP_TAXONOMY
    )


def term_ref(row: dict[str, Any]) -> TermRef:
    return TermRef(id=row["id"], code=row["code"], name=row["name"],
                   name_en=row["name_en"] or row["name"], parent_id=row["parent"])


def label(term: TermRef, lang: str) -> str:
    return term.name_en if lang == "en" and term.name_en else term.name


async def load(ids: Iterable[UUID]) -> dict[UUID, dict[str, Any]]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await TaxonomyTerm.select(*_COLUMNS).where(TaxonomyTerm.id.is_in(wanted))
    return {row["id"]: row for row in rows}


async def all_terms() -> list[dict[str, Any]]:
    return await TaxonomyTerm.select(*_COLUMNS).order_by(TaxonomyTerm.code)


async def with_descendants(term_id: UUID) -> list[UUID]:
    """The term and every term below it, so a top category also finds its subcategories."""
    found = [term_id]
    frontier = [term_id]
    while frontier and len(found) < 10_000:
        rows = await TaxonomyTerm.select(TaxonomyTerm.id).where(
            TaxonomyTerm.parent.is_in(frontier)
        )
        frontier = [row["id"] for row in rows if row["id"] not in found]
        found.extend(frontier)
    return found


async def category_tree() -> list[tuple[TermRef, list[TermRef]]]:
    """Top categories with their direct children, for filters and forms."""
    rows = [row for row in await all_terms() if not is_target_group(row)]
    tops = [term_ref(row) for row in rows if row["parent"] is None]
    children: dict[UUID, list[TermRef]] = {}
    for row in rows:
        if row["parent"] is not None:
            children.setdefault(row["parent"], []).append(term_ref(row))
    return [(top, children.get(top.id, [])) for top in tops]


async def target_groups() -> list[TermRef]:
    return [term_ref(row) for row in await all_terms() if is_target_group(row)]
