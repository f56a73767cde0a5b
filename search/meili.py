"""The Meilisearch engine: used when SEARCH_URL points to a Meilisearch server.

Every write waits for its Meilisearch task, so a change is searchable when the call returns.
A rebuild fills a fresh index and swaps it in, so searches see the old one until it is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

import meilisearch
from meilisearch.errors import MeilisearchApiError, MeilisearchError

from search.engine import (
    EngineHealth,
    OfferDocument,
    SearchQuery,
    SearchResult,
    validate_query,
)
from search.meili_requests import index_settings, parse_response, quoted, search_params, to_meili

BATCH = 1000
TASK_TIMEOUT_MS = 120_000


class SearchServerError(RuntimeError):
    """Meilisearch refused a request or could not be reached; the message says which."""


class MeiliEngine:
    name = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        index_uid: str = "offers",
        timeout_seconds: int = 10,
    ) -> None:
        self.url = url
        self.index_uid = index_uid
        self._client = meilisearch.Client(url, api_key, timeout=timeout_seconds)
        self._settings_applied = False

    # ----- helpers -------------------------------------------------------------------------

    def _wait(self, task_uid: int, missing_index_ok: bool = False) -> None:
        task = self._client.wait_for_task(task_uid, timeout_in_ms=TASK_TIMEOUT_MS)
        error = task.error or {}
        if missing_index_ok and error.get("code") == "index_not_found":
            return
        if task.status != "succeeded":
            raise SearchServerError(f"Meilisearch task {task_uid} {task.status}: {task.error}")

    def _ensure_index(self, uid: str) -> Any:
        """The index, created with Lotse's settings if it does not exist yet."""
        try:
            self._client.get_index(uid)
        except MeilisearchApiError as exc:
            if exc.code != "index_not_found":
                raise SearchServerError(f"Meilisearch: {exc}") from exc
            self._wait(self._client.create_index(uid, {"primaryKey": "id"}).task_uid)
        index = self._client.index(uid)
        self._wait(index.update_settings(index_settings()).task_uid)
        return index

    def _index(self) -> Any:
        if not self._settings_applied:
            self._ensure_index(self.index_uid)
            self._settings_applied = True
        return self._client.index(self.index_uid)

    # ----- interface -----------------------------------------------------------------------

    def index(self, documents: Sequence[OfferDocument]) -> None:
        if not documents:
            return
        try:
            index = self._index()
            for start in range(0, len(documents), BATCH):
                batch = [to_meili(d) for d in documents[start : start + BATCH]]
                self._wait(index.add_documents(batch, primary_key="id").task_uid)
        except MeilisearchError as exc:
            raise SearchServerError(f"Meilisearch: {exc}") from exc

    def delete(self, ids: Sequence[UUID]) -> None:
        if not ids:
            return
        try:
            index = self._index()
            for start in range(0, len(ids), BATCH):
                chunk = ", ".join(quoted(str(i)) for i in ids[start : start + BATCH])
                self._wait(index.delete_documents(filter=f"id IN [{chunk}]").task_uid)
        except MeilisearchError as exc:
            raise SearchServerError(f"Meilisearch: {exc}") from exc

    def search(self, query: SearchQuery) -> SearchResult:
        validate_query(query)
        text, params = search_params(query)
        try:
            answer = self._index().search(text, params)
        except MeilisearchError as exc:
            raise SearchServerError(f"Meilisearch: {exc}") from exc
        return parse_response(answer, query)

    def rebuild(
        self,
        documents: Iterable[OfferDocument],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        fresh_uid = f"{self.index_uid}_rebuild"
        count = 0
        try:
            # A rebuild that failed before may have left its index behind.
            self._wait(self._client.delete_index(fresh_uid).task_uid, missing_index_ok=True)
            fresh = self._ensure_index(fresh_uid)
            batch: list[dict[str, Any]] = []
            for document in documents:
                batch.append(to_meili(document))
                if len(batch) == BATCH:
                    self._wait(fresh.add_documents(batch, primary_key="id").task_uid)
                    count += len(batch)
                    if progress is not None:
                        progress(len(batch))
                    batch = []
            if batch:
                self._wait(fresh.add_documents(batch, primary_key="id").task_uid)
                count += len(batch)
                if progress is not None:
                    progress(len(batch))
            self._ensure_index(self.index_uid)
            swap: list[Mapping[str, list[str] | bool]] = [{"indexes": [self.index_uid, fresh_uid]}]
            self._wait(self._client.swap_indexes(swap).task_uid)
            self._wait(self._client.delete_index(fresh_uid).task_uid)
        except MeilisearchError as exc:
            raise SearchServerError(f"Meilisearch: {exc}") from exc
        self._settings_applied = True
        return count

    def generation(self) -> object | None:
        return None  # asking the server for its last update would cost a request per page

    def health(self) -> EngineHealth:
        try:
            self._client.health()
            documents = int(self._client.index(self.index_uid).get_stats().number_of_documents)
        except MeilisearchApiError as exc:
            if exc.code != "index_not_found":
                return EngineHealth(engine=self.name, ok=False, detail=str(exc))
            documents = 0
        except MeilisearchError as exc:
            return EngineHealth(engine=self.name, ok=False, detail=str(exc))
        return EngineHealth(engine=self.name, ok=True, documents=documents, detail=self.url)

    def close(self) -> None:
        """Nothing to release: every request is its own HTTP call."""
