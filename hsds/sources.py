"""Where HSDS records come from: files, folders and HSDS APIs, read as a stream.

Large JSON arrays are decoded one element at a time from a sliding buffer, so memory depends
on the size of one record, not of the file.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode, urlsplit

import httpx

from hsds.limits import document_problem, id_hint, skip_value

CHUNK = 1 << 20
# File-name fragments -> record kind, most specific first.
NAME_HINTS = (
    ("service_at_location", "service_at_location"),
    ("taxonomy_term", "taxonomy_term"),
    ("taxonom", "taxonomy"),
    ("organization", "organization"),
    ("organisation", "organization"),
    ("service", "service"),
    ("location", "location"),
)
# Order of import: what others refer to comes first. Stand-alone locations may lack an
# organisation and then only update known ones, so they come after services.
KIND_ORDER = (
    "taxonomy",
    "taxonomy_term",
    "organization",
    "service",
    "service_at_location",
    "location",
)
SUFFIXES = (".json", ".ndjson", ".jsonl")

Progress = Callable[[int, int | None], None]


class SourceError(ValueError):
    """The source cannot be read at all (as opposed to one bad record)."""


class BrokenRecordError(ValueError):
    """One record cannot be decoded or taken (too deep, not UTF-8); the others can."""


def _checked(doc: Any, raw: str | None = None) -> Any:
    """The decoded record, or the reason it cannot be taken (as a ``BrokenRecordError``);
    ``raw``, the text it was decoded from, spares checking every decoded text."""
    problem = document_problem(doc, raw)
    if problem is None:
        return doc
    record_id = doc.get("id") if isinstance(doc, dict) else None
    named = f" (id {str(record_id)[:100]!r})" if isinstance(record_id, str | int) else ""
    return BrokenRecordError(f"the record{named} {problem}")


def _undecodable(raw: str, reason: str) -> BrokenRecordError:
    record_id = id_hint(raw)
    named = f" (id {record_id!r})" if record_id else ""
    return BrokenRecordError(f"the record{named} cannot be read: {reason}")


@dataclass
class Item:
    """One record (or something that claims to be one) and where it came from."""

    doc: Any
    hint: str | None
    where: str


def hint_for(name: str) -> str | None:
    lowered = name.lower()
    for fragment, kind in NAME_HINTS:
        if fragment in lowered:
            return kind
    return None


def skip_reason(doc: Any) -> str | None:
    """Why a JSON document holds no HSDS records to import, or None when it may."""
    if isinstance(doc, dict):
        if doc and set(doc) <= {"version", "profile", "openapi_url"}:
            return "the description of an HSDS API, not a record"
        if doc and all(str(key).endswith(".csv") for key in doc):
            return "tabular (CSV) data; import the JSON form instead"
        if isinstance(doc.get("resources"), list) and "data-package" in str(doc.get("profile")):
            return "the descriptor of a tabular data package (CSV); import the JSON form instead"
    return None


def iter_json_array(stream: IO[str], where: str) -> Iterator[Any]:
    """The elements of the JSON array ``stream`` is positioned at, one by one."""
    decoder = json.JSONDecoder()
    buffer = stream.read(CHUNK)
    position = 0
    eof = not buffer
    index = 0
    start = buffer.lstrip()
    if not start.startswith("["):
        raise SourceError(f"{where}: expected a JSON array")
    position = len(buffer) - len(start) + 1
    while True:
        while True:
            while position < len(buffer) and buffer[position] in " \t\r\n,":
                position += 1
            if position < len(buffer) or eof:
                break
            buffer, position = stream.read(CHUNK), 0
            eof = not buffer
        if position >= len(buffer):
            raise SourceError(f"{where}: the JSON array is not closed")
        if buffer[position] == "]":
            return
        try:
            value, end = decoder.raw_decode(buffer, position)
            # A number cut by the buffer's end would decode too early: read on first.
            complete = end < len(buffer) or eof
        except json.JSONDecodeError as error:
            if eof:
                raise SourceError(f"{where}, element {index}: {error.msg}") from None
            complete = False
        except RecursionError:
            # Too deep for the decoder: report the element and read on after its end.
            skipped = skip_value(buffer, position)
            if skipped is None and not eof:
                more = stream.read(CHUNK)
                eof = not more
                buffer, position = buffer[position:] + more, 0
                continue
            if skipped is None:
                raise SourceError(f"{where}, element {index}: not closed") from None
            index += 1
            yield _undecodable(buffer[position:skipped], "nested too deeply")
            position = skipped
            continue
        if not complete:
            more = stream.read(CHUNK)
            eof = not more
            buffer = buffer[position:] + more
            position = 0
            continue
        index += 1
        yield _checked(value, buffer[position:end])
        position = end
        if position > CHUNK:
            buffer, position = buffer[position:], 0


def _records_of(doc: Any) -> list[Any]:
    """The records of one decoded JSON document: a record, a list, or an API page."""
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict) and isinstance(doc.get("contents"), list):
        return list(doc["contents"])
    return [doc]


def iter_file(path: Path, progress: Progress | None = None) -> Iterator[Item]:
    hint = hint_for(path.name)
    total = path.stat().st_size
    # Bytes that are not UTF-8 become lone surrogates: the record holding them is refused
    # (``document_problem``), the rest of the file is read.
    with path.open(encoding="utf-8", errors="surrogateescape") as stream:
        if path.suffix in {".ndjson", ".jsonl"}:
            done = 0
            for number, line in enumerate(stream, 1):
                done += len(line.encode("utf-8", "surrogateescape"))
                if line.strip():
                    where = f"{path.name}:{number}"
                    try:
                        doc = json.loads(line)
                    except json.JSONDecodeError as error:
                        yield Item(_undecodable(line, f"not JSON ({error.msg})"), hint, where)
                        continue
                    except RecursionError:
                        yield Item(_undecodable(line, "nested too deeply"), hint, where)
                        continue
                    yield Item(_checked(doc, line), hint, where)
                if progress and number % 100 == 0:
                    progress(done, total)
            if progress:
                progress(total, total)
            return
        head = stream.read(64).lstrip()
        stream.seek(0)
        if head.startswith("["):
            for number, doc in enumerate(iter_json_array(stream, path.name), 1):
                yield Item(doc, hint, f"{path.name}[{number}]")
                if progress and number % 100 == 0:
                    progress(min(stream.tell(), total), total)
        else:
            try:
                document = json.load(stream)
            except json.JSONDecodeError as error:
                raise SourceError(f"{path.name}: not JSON ({error.msg})") from None
            except RecursionError:
                raise SourceError(f"{path.name}: nested too deeply to be HSDS") from None
            reason = skip_reason(document)
            if reason:
                yield Item(SourceError(f"{path.name} skipped: {reason}"), hint, path.name)
            else:
                for number, doc in enumerate(_records_of(document), 1):
                    yield Item(_checked(doc), hint, f"{path.name}[{number}]")
        if progress:
            progress(total, total)


def files_in(folder: Path) -> list[Path]:
    """The JSON files of a folder (and its subfolders), in import order."""
    found = [p for p in folder.rglob("*") if p.is_file() and p.suffix in SUFFIXES]

    def order(path: Path) -> tuple[int, str]:
        kind = hint_for(path.name)
        return (KIND_ORDER.index(kind) if kind else len(KIND_ORDER), str(path))

    return sorted(found, key=order)


def iter_path(path: Path, progress: Progress | None = None) -> Iterator[Item]:
    if path.is_dir():
        files = files_in(path)
        sizes = [file.stat().st_size for file in files]
        total, done = sum(sizes), 0
        for file, size in zip(files, sizes, strict=True):
            offset = done

            def step(current: int, _total: int | None, offset: int = offset) -> None:
                if progress:
                    progress(offset + current, total)

            yield from iter_file(file, step)
            done += size
        return
    if not path.is_file():
        raise SourceError(f"{path} is neither a file nor a folder")
    yield from iter_file(path, progress)


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in {"http", "https"}


def is_last_page(body: dict[str, Any], page: int) -> bool:
    """From last_page, else total_pages; an API that says neither is read until a page is empty."""
    if isinstance(body.get("last_page"), bool):
        return bool(body["last_page"])
    if isinstance(body.get("total_pages"), int):
        return page >= body["total_pages"]
    return False


class ApiSource:
    """Reads every record of an HSDS API (taxonomies, terms, organisations, services)."""

    def __init__(self, base: str, client: httpx.AsyncClient, per_page: int = 100) -> None:
        self.base = base.rstrip("/")
        self.client = client
        self.per_page = per_page

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        url = f"{self.base}{path}" + (f"?{urlencode(params)}" if params else "")
        response = await self.client.get(url)
        if response.status_code == 404:
            return None
        if response.status_code in (401, 403):
            raise SourceError(f"{url}: access refused ({response.status_code}); give a token")
        if response.status_code >= 400:
            raise SourceError(f"{url}: HTTP {response.status_code}")
        try:
            return response.json()
        except (ValueError, RecursionError):  # also not UTF-8, or nested too deeply
            raise SourceError(f"{url}: the answer is not JSON Lotse can read") from None

    async def describe(self) -> dict[str, Any]:
        root = await self._get("/")
        if not isinstance(root, dict) or "version" not in root:
            raise SourceError(f"{self.base}/ does not describe an HSDS API")
        if not str(root["version"]).startswith("3."):
            raise SourceError(f"{self.base} speaks HSDS {root['version']}; Lotse reads 3.x")
        return root

    async def _pages(self, path: str, params: dict[str, Any]) -> AsyncIterator[tuple[Any, int]]:
        page = 1
        while True:
            body = await self._get(path, {**params, "page": page, "per_page": self.per_page})
            if body is None:
                return
            if not isinstance(body, dict) or not isinstance(body.get("contents"), list):
                raise SourceError(f"{self.base}{path}: not an HSDS page")
            total = int(body.get("total_items") or 0)
            for doc in body["contents"]:
                yield doc, total
            if not body["contents"] or is_last_page(body, page):
                return
            page += 1

    async def items(self, progress: Progress | None = None) -> AsyncIterator[Item]:
        await self.describe()
        plan: tuple[tuple[str, str, dict[str, str]], ...] = (
            ("/taxonomies", "taxonomy", {}),
            ("/taxonomy_terms", "taxonomy_term", {}),
            ("/organizations", "organization", {}),
            ("/services", "service", {"full": "true"}),
        )
        for path, kind, params in plan:
            done = 0
            async for doc, total in self._pages(path, params):
                done += 1
                if progress and kind == "service":
                    progress(done, total)
                full = await self._complete(path, kind, doc)
                yield Item(_checked(full), kind, f"{path}#{done}")

    async def _complete(self, path: str, kind: str, doc: Any) -> Any:
        """List items may lack the child records; fetch the full record then."""
        child_key = {"service": "service_at_locations", "organization": "locations"}.get(kind)
        if child_key is None or not isinstance(doc, dict) or child_key in doc or "id" not in doc:
            return doc
        full = await self._get(f"{path}/{doc['id']}")
        if not isinstance(full, dict):
            return doc
        # Services are read from /services; the copies inside an organisation would be read twice.
        full.pop("services", None)
        return full
