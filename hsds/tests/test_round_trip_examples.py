"""Importing the official HSDS examples keeps what they say: import -> export gives the same
records up to the differences documented here, each of which the import report names."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import run
from hsds.importer import ImportOptions, import_source
from settings import get_settings

Doc = dict[str, Any]

# Every difference a round trip of the official examples may show: (pattern of the difference,
# why, pattern of the import warning that names it, or None where nothing is lost). Nothing
# else may differ; the README's HSDS section lists the same.
DOCUMENTED: list[tuple[str, str, str | None]] = [
    (r"^added .*\.lotse_\w+$", "Lotse's profile properties (time stamps, translations)", None),
    (r"^added .*\.(\w+_id|link_id)$", "Lotse names the parent of each nested record", None),
    (r"^added .*\.(service|organization)$", "the parent record nested (as the reference does)",
     None),
    (r"^added \.service\.service_at_locations$", "the nested service lists its places too",
     None),
    (r"taxonomy_term\.parent_id$", "a term whose parent is not known becomes a top term",
     r"is not known; stored as a top term"),
    (r"\.latitude$", "a latitude out of range is left out", r"latitude 100 is out of range"),
    (r"schedules\[48102e86\]$", "a schedule rule Lotse cannot express (byweekno)",
     r"byweekno is not supported"),
    (r"\.number: '\"\+44", "a phone number in quotes is read without them", r"read as"),
    (r"required_documents\[f6ad7e69\]\.document", "texts are cut to Lotse's length",
     r"shortened to 255"),
    (r"capacities\[8896b788\]\.maximum", "a maximum below the free places is raised",
     r"maximum raised to 12"),
    (r"^missing .*\.assurer_email$", "never published: it names a person",
     r"assurer_email is kept but never published"),
    (r"contacts\[1e7efce3\]\.email$", "a contact's e-mail is never published",
     r"its e-mail is kept but never published"),
    (r"currency: 'gbp' -> 'GBP'", "currency codes are written in capitals (ISO 4217)", None),
    (r"link_entity: 'link_entity' -> 'service'", "Lotse names the table a term belongs to",
     None),
    (r"taxonomy_term\.taxonomy: 'taxonomy' -> 'name'", "Lotse writes the taxonomy's name",
     None),
    (r"^missing (\.service)?\.organization\.\w+$",
     "the organisation nested in a service carries its own fields; its lists are at "
     "/hsds/organizations/{id}", None),
]


def _diff(original: Any, exported: Any, path: str = "") -> list[str]:
    """Every difference between two HSDS documents, as readable paths."""
    if isinstance(original, dict) and isinstance(exported, dict):
        found = []
        for key in original:
            if key not in exported:
                found.append(f"missing {path}.{key}")
            else:
                found += _diff(original[key], exported[key], f"{path}.{key}")
        found += [f"added {path}.{key}" for key in exported if key not in original]
        return found
    if isinstance(original, list) and isinstance(exported, list):
        if all(isinstance(item, dict) and "id" in item for item in original + exported):
            mine = {item["id"]: item for item in exported}
            found = []
            for item in original:
                if item["id"] in mine:
                    found += _diff(item, mine.pop(item["id"]), f"{path}[{item['id'][:8]}]")
                else:
                    found.append(f"missing {path}[{item['id'][:8]}]")
            found += [f"added {path}[{key[:8]}]" for key in mine]
            return found
        if len(original) != len(exported):
            return [f"changed {path}: {len(original)} items -> {len(exported)}"]
        return [d for a, b, i in zip(original, exported, range(len(original)), strict=True)
                for d in _diff(a, b, f"{path}[{i}]")]
    if original != exported and not _same_number_or_time(original, exported):
        return [f"changed {path}: {str(original)[:60]!r} -> {str(exported)[:60]!r}"]
    return []


def _same_number_or_time(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, str) and isinstance(b, str) and "T" in a and "T" in b:
        try:
            return datetime.fromisoformat(a) == datetime.fromisoformat(b)
        except ValueError:
            return False
    return False


def _undocumented(differences: list[str]) -> list[str]:
    return [d for d in differences if not (d.startswith("added ") and ".lotse_" in d)]


def _exported(client: Any, kind: str, record_id: str) -> Doc:
    path = {"service": f"/hsds/services/{record_id}",
            "organization": f"/hsds/organizations/{record_id}?full_service=true",
            "service_at_location": f"/hsds/service_at_locations/{record_id}"}[kind]
    response = client.get(path)
    assert response.status_code == 200, response.text
    body: Doc = response.json()
    return body


@pytest.fixture
def api(db: None, client: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("LOTSE_HSDS_PUBLIC", "true")
    get_settings.cache_clear()
    yield client
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("name", "kind"),
    [("service_full.json", "service"), ("organization_full.json", "organization"),
     ("service_at_location_full.json", "service_at_location")],
)
def test_official_example_round_trip(api: Any, examples: Path, name: str, kind: str) -> None:
    original = json.loads((examples / name).read_text(encoding="utf-8"))
    report = run(import_source(str(examples / name), ImportOptions(adopt_taxonomies=True)))
    assert report.error_count == 0, report.errors
    warnings = " | ".join(w.message for w in report.warnings)
    differences = _diff(original, _exported(api, kind, original["id"]))
    unexplained = []
    for difference in differences:
        rule = next((rule for rule in DOCUMENTED if re.search(rule[0], difference)), None)
        if rule is None:
            unexplained.append(difference)
        elif rule[2] is not None:
            assert re.search(rule[2], warnings), (difference, "not in the report", warnings)
    assert unexplained == [], "\n".join(unexplained)


def test_a_foreign_address_stays_where_it_is(api: Any, examples: Path) -> None:
    report = run(import_source(str(examples / "service_full.json")))
    assert report.error_count == 0, report.errors
    service = _exported(api, "service", "ac148810-d857-441c-9679-408f346de14b")
    location = service["service_at_locations"][0]["location"]
    [address] = location["addresses"]
    assert (address["country"], address["state_province"]) == ("US", "MyState")
    assert (address["address_type"], address["attention"], address["address_2"]) == (
        "postal", "A. Persona", "MyVillage")
    assert address["id"] == "74706e55-df26-4b84-80fe-ecc30b5befb4"
    assert location["accessibility"][0]["url"] == "http://example.com"
    assert service["capacities"][0]["unit"]["scheme"] == "SI"
    assert "metadata" in service and "program" in service
    # No Lotse facts the source did not state (free of charge, kind of organisation).
    assert not [a for a in service["attributes"] if a.get("link_type") == "lotse"]
    assert not [a for a in service["organization"].get("attributes", [])
                if a.get("link_type") == "lotse"]
