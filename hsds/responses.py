"""What the HSDS operations answer, for the OpenAPI document: HSDS pages and records.

The records themselves are defined by the official HSDS 3.1 schemas (linked from each
description); the document names the page envelope exactly and the records as JSON objects.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec

SCHEMA_REFERENCE = "https://docs.openreferral.org/en/latest/hsds/schema_reference.html"


class HsdsPage(msgspec.Struct):
    """One page of an HSDS list (the `Page` of the HSDS API reference) and its records."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[dict[str, Any]]


class HsdsApiRoot(msgspec.Struct):
    """The HSDS API root: version, profile and OpenAPI addresses."""

    version: str
    profile: str
    openapi_url: str


def page(kind: str) -> dict[int, ResponseSpec]:
    return {
        200: ResponseSpec(
            data_container=HsdsPage,
            generate_examples=False,
            description=f"A page of HSDS 3.1 `{kind}` records ({SCHEMA_REFERENCE}#{kind}); "
            "with `format=ndjson` instead every matching record as one JSON object per line "
            "(`application/x-ndjson`).",
        )
    }


def record(kind: str) -> dict[int, ResponseSpec]:
    return {
        200: ResponseSpec(
            data_container=dict[str, Any],
            generate_examples=False,
            description=f"An HSDS 3.1 `{kind}` record ({SCHEMA_REFERENCE}#{kind}).",
        )
    }


META = {
    200: ResponseSpec(
        data_container=HsdsApiRoot,
        generate_examples=False,
        description="The API's meta information.",
    )
}
PROFILE = {
    200: ResponseSpec(
        data_container=dict[str, Any],
        generate_examples=False,
        description="The Lotse profile: attributes, their taxonomy and the extra properties.",
    )
}
