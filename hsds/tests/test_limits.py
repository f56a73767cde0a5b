"""The rules an imported value must meet (pure functions, no database)."""

from __future__ import annotations

import json

import pytest

from hsds.limits import document_problem, safe_email, safe_link, skip_value


@pytest.mark.parametrize(
    "value",
    ["https://vhs.example/kurs", "http://a.example", "mailto:info@a.example", "tel:+49208123",
     "www.caritas.example", "caritas.example/beratung"],
)
def test_web_mail_and_phone_links_are_kept(value: str) -> None:
    assert safe_link(value) == value


@pytest.mark.parametrize(
    "value",
    ["javascript:alert(1)", " JAVASCRIPT:alert(1)", "java\tscript:alert(1)", "data:text/html,x",
     "file:///etc/passwd", "vbscript:x", "https:///nohost", "//evil.example", "alert(1)"],
)
def test_other_links_are_refused(value: str) -> None:
    assert safe_link(value) is None


def test_email_addresses_must_look_like_one() -> None:
    assert safe_email("info@caritas.example") == "info@caritas.example"
    assert safe_email("javascript:alert(1)//@x.example") is None
    assert safe_email("kein Mail") is None


def test_a_deep_value_is_skipped_to_its_end() -> None:
    text = "[" * 5000 + '"]"' + "]" * 5000
    assert skip_value(text + ', {"id": 1}', 0) == len(text)
    assert skip_value(text[:-1], 0) is None


def test_documents_too_deep_or_not_utf8_are_named() -> None:
    nested: object = "x"
    for _ in range(100):
        nested = [nested]
    assert document_problem({"a": nested}) is not None
    assert document_problem(json.loads('{"a": "\\ud800"}')) is not None
    assert document_problem({"name": "Sprachcafé", "list": [1, {"x": None}]}) is None
