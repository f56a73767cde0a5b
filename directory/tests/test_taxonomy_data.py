from __future__ import annotations

import uuid
from datetime import UTC, datetime

from conftest import run
from directory.demo_data.build import TEMPLATES, build_demo
from directory.tables import Taxonomy, TaxonomyTerm
from directory.taxonomy_data import (
    CATEGORIES_NAME,
    TARGET_GROUP_PREFIX,
    ensure_taxonomies,
    lotse_taxonomy,
    target_groups,
    taxonomy_id,
    term_by_code,
    term_id,
)


def test_categories_have_at_least_twelve_top_terms_each_with_sub_terms() -> None:
    taxonomy = lotse_taxonomy()
    assert taxonomy.name == "Lotse-Kategorien"
    assert len(taxonomy.terms) >= 12
    for top in taxonomy.terms:
        assert top.children, top.code
        assert top.name and top.name_en
        assert all(child.code.startswith(top.code + ".") for child in top.children)


def test_target_groups_are_a_flat_list_with_english_names() -> None:
    groups = target_groups()
    assert groups.name == "Zielgruppen"
    names = {term.name for term in groups.terms}
    assert {"Geflüchtete", "Frauen", "Jugendliche", "Familien", "Kinder"} <= names
    assert all(term.name_en and not term.children for term in groups.terms)


def test_codes_and_ids_are_unique_and_stable() -> None:
    codes = [term.code for t in (lotse_taxonomy(), target_groups()) for term, _ in t.walk()]
    assert len(codes) == len(set(codes))
    assert term_id("sprache.integrationskurs") == term_id("sprache.integrationskurs")
    assert len({term_id(code) for code in codes}) == len(codes)


def test_every_code_used_by_the_demo_exists() -> None:
    known = term_by_code()
    for template in TEMPLATES.values():
        for code in template.categories:
            assert code in known and "." in code, (template.key, code)
        for group in template.groups:
            assert TARGET_GROUP_PREFIX + group in known, (template.key, group)
    rows = build_demo(datetime.now(UTC))  # resolves every code, raising on an unknown one
    assert {link.term for link in rows.terms} <= {term_id(code) for code in known}


def test_installing_twice_adds_nothing(db: None) -> None:
    first = run(ensure_taxonomies())
    count = run(TaxonomyTerm.count())
    second = run(ensure_taxonomies())
    assert first == second
    assert run(TaxonomyTerm.count()) == count == len(term_by_code())
    assert run(Taxonomy.count()) == 2


def test_existing_terms_keep_their_ids(db: None) -> None:
    taxonomy = Taxonomy(id=uuid.uuid4(), name=CATEGORIES_NAME)
    run(taxonomy.save())
    own = TaxonomyTerm(id=uuid.uuid4(), taxonomy=taxonomy.id, code="sprache", name="Sprache")
    run(own.save())
    ids = run(ensure_taxonomies())
    assert ids["sprache"] == own.id
    child = run(TaxonomyTerm.select(TaxonomyTerm.parent, TaxonomyTerm.taxonomy)
                .where(TaxonomyTerm.code == "sprache.sprachcafe").first())
    assert child == {"parent": own.id, "taxonomy": taxonomy.id}
    assert run(Taxonomy.count().where(Taxonomy.id == taxonomy_id(lotse_taxonomy()))) == 0
