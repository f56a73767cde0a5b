"""`lotse hsds ...` commands and the review list decisions they take."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from conftest import run
from directory.tables import Service, ServiceTerm
from hsds.cli import hsds
from hsds.importer import import_source
from hsds.tables import TermReview, TermReviewLink
from hsds.tests.conftest import allow_all


def invoke(*args: str) -> Any:
    return CliRunner().invoke(hsds, list(args), catch_exceptions=False)


def test_export_then_validate(network: dict[str, Any], hsds_schemas: Path, tmp_path: Path) -> None:
    result = invoke("export", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "3 services" in result.output
    checked = invoke("validate", str(tmp_path / "out"))
    assert checked.exit_code == 0, checked.output
    assert "0 invalid" in checked.output


def test_validate_fails_on_an_invalid_record(db: None, hsds_schemas: Path, tmp_path: Path) -> None:
    path = tmp_path / "services.json"
    path.write_text(json.dumps([{"id": "not-a-uuid", "name": "x", "status": "open"}]))
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    assert "1 invalid" in result.output


def test_dry_run_import_reports_and_writes_nothing(network: dict[str, Any], tmp_path: Path) -> None:
    invoke("export", str(tmp_path / "out"))
    run(ServiceTerm.delete(force=True))
    allow_all(str(tmp_path / "out"))
    result = invoke("import", "--dry-run", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output
    assert run(ServiceTerm.count()) == 0


def test_unreadable_source_is_a_clear_error(db: None, tmp_path: Path) -> None:
    result = CliRunner().invoke(hsds, ["import", str(tmp_path / "missing")])
    assert result.exit_code != 0
    assert "neither a file nor a folder" in result.output


def test_mapping_a_review_item_links_offers_now_and_on_later_imports(
    network: dict[str, Any], examples: Path
) -> None:
    source = str(examples / "service_full.json")
    run(import_source(source))
    listed = invoke("review", "list")
    assert "1 open review items" in listed.output
    item = run(TermReview.select().first())
    assert item is not None
    mapped = invoke("review", "map", str(item["id"]), "sprache")
    assert mapped.exit_code == 0, mapped.output
    service = run(Service.select(Service.id).where(Service.name == "Community Counselling").first())
    assert service is not None
    links = run(ServiceTerm.select().where(ServiceTerm.service == service["id"]))
    assert [link["term"] for link in links] == [network["sprache"]]
    again = run(import_source(source))
    assert again.review_links == 0 and run(TermReviewLink.count()) == 0
    assert run(ServiceTerm.count().where(ServiceTerm.service == service["id"])) == 1


def test_mapping_onto_an_unknown_code_is_refused(network: dict[str, Any], examples: Path) -> None:
    run(import_source(str(examples / "service_full.json")))
    item = run(TermReview.select().first())
    assert item is not None
    result = CliRunner().invoke(hsds, ["review", "map", str(item["id"]), "nope"])
    assert result.exit_code != 0 and "no taxonomy term" in result.output


def test_dismissed_terms_stay_out_of_the_review_list(db: None, examples: Path) -> None:
    source = str(examples / "service_full.json")
    run(import_source(source))
    item = run(TermReview.select().first())
    assert item is not None
    assert invoke("review", "dismiss", str(item["external_term_id"])).exit_code == 0
    again = run(import_source(source))
    assert again.review_links == 0
    assert "0 open review items" in invoke("review", "list").output


def test_adopting_a_term_creates_it_with_its_taxonomy(db: None, examples: Path) -> None:
    run(import_source(str(examples / "service_full.json")))
    item = run(TermReview.select().first())
    assert item is not None
    assert invoke("review", "adopt", str(item["id"])).exit_code == 0
    assert run(ServiceTerm.count()) == 1
    assert run(ServiceTerm.select(ServiceTerm.term.code).first()) == {"term.code": "code"}
