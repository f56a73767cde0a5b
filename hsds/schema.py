"""The official HSDS 3.1 JSON Schemas and API description, loaded for validation.

The schema files are reference material kept outside the repository (``<repo>/../shared/hsds``,
or ``LOTSE_HSDS_SCHEMA_DIR``). Nothing at run time depends on them: tests and ``lotse hsds
validate`` use this module to check what Lotse writes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

REPO_ROOT = Path(__file__).resolve().parent.parent

# Record kinds of the HSDS model that Lotse reads and writes, by schema file name.
RECORD_SCHEMAS = {
    "service": "service.json",
    "organization": "organization.json",
    "location": "location.json",
    "service_at_location": "service_at_location.json",
    "taxonomy": "taxonomy.json",
    "taxonomy_term": "taxonomy_term.json",
}


class SchemaFolderMissingError(RuntimeError):
    """The HSDS schema folder is not where it is expected."""


def schema_dir() -> Path:
    """The folder holding the HSDS schemas (it may not exist)."""
    configured = os.environ.get("LOTSE_HSDS_SCHEMA_DIR", "").strip()
    if configured:
        return Path(configured).resolve()
    # Beside the repository; a git worktree may sit one level deeper than the main checkout.
    candidates = [parent / "shared" / "hsds" for parent in REPO_ROOT.parents][:3]
    for candidate in candidates:
        if (candidate / "service.json").is_file():
            return candidate
    return candidates[0]


def schema_dir_available() -> bool:
    return (schema_dir() / "service.json").is_file()


def _remote_to_local(uri: str) -> str:
    """Map the remote schema URLs of the API description onto the local file names.

    The API description refers to the upstream "compiled" schemas; the list variants describe
    the same objects with fewer fields, so the modular schema validates them too.
    """
    name = uri.rsplit("/", 1)[-1]
    return name.replace("_list.json", ".json")


@lru_cache(maxsize=4)
def _registry(folder: str) -> Registry:
    base = Path(folder)
    if not (base / "service.json").is_file():
        raise SchemaFolderMissingError(f"no HSDS schemas in {base}")
    resources: dict[str, Resource[Any]] = {}
    for path in sorted(base.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources[path.name] = DRAFT202012.create_resource(contents)

    def retrieve(uri: str) -> Resource[Any]:
        local = _remote_to_local(uri)
        if local in resources:
            return resources[local]
        raise NoSuchResource(uri)

    return Registry(retrieve=retrieve).with_resources(resources.items())  # type: ignore[call-arg]


def registry() -> Registry:
    return _registry(str(schema_dir()))


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if "T" not in value.upper():
        return False
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and " " not in value


def format_checker() -> FormatChecker:
    """The standard checks plus date-time and uri, which need extra packages upstream."""
    checker = FormatChecker()
    checker.checks("date-time")(_is_datetime)
    checker.checks("uri")(_is_uri)
    return checker


def validator(schema_ref: str) -> Draft202012Validator:
    """A validator for a schema file name or a JSON pointer into one (``openapi.json#/...``)."""
    return Draft202012Validator(
        {"$ref": schema_ref}, registry=registry(), format_checker=format_checker()
    )


def _errors(check: Draft202012Validator, instance: object) -> Iterator[str]:
    for error in check.iter_errors(instance):
        where = "/".join(str(part) for part in error.absolute_path) or "(record)"
        yield f"{where}: {error.message}"


def record_errors(kind: str, record: dict[str, Any]) -> list[str]:
    """Everything the schema of ``kind`` has to say against ``record`` (empty when valid)."""
    return list(_errors(validator(RECORD_SCHEMAS[kind]), record))


def _pointer_escape(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


# The snapshot's API description answers GET /service_at_locations/{id} with the *service*
# schema; its own example of that response is a service_at_location and fails it.
RESPONSE_FIXES = {"/service_at_locations/{id}": "service_at_location.json"}


def response_errors(path: str, body: object, status: int = 200) -> list[str]:
    """Check a response body against the API description of ``GET <path>`` (e.g. ``/services``)."""
    pointer = RESPONSE_FIXES.get(path) or (
        f"openapi.json#/paths/{_pointer_escape(path)}/get/responses/{status}"
        "/content/application~1json/schema"
    )
    return list(_errors(validator(pointer), body))
