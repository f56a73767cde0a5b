"""The Meilisearch engine against a stand-in client: tasks are waited for, errors surface."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from meilisearch.errors import MeilisearchApiError, MeilisearchCommunicationError

from search import meili
from search.engine import SearchQuery
from search.meili import MeiliEngine, SearchServerError
from search.tests.corpus import ID, OFFERS


def api_error(code: str, status: int = 404) -> MeilisearchApiError:
    response = requests.Response()
    response.status_code = status
    response._content = f'{{"code": "{code}", "message": "{code}"}}'.encode()
    return MeilisearchApiError(code, response)


@dataclass
class Task:
    status: str = "succeeded"
    error: dict[str, Any] | None = None


@dataclass
class TaskInfo:
    task_uid: int


@dataclass
class Stats:
    number_of_documents: int


@dataclass
class FakeIndex:
    client: FakeClient
    uid: str
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def add_documents(self, batch: list[dict[str, Any]], primary_key: str) -> TaskInfo:
        assert primary_key == "id"
        self.client.calls.append(("add", self.uid, len(batch)))
        for document in batch:
            self.documents[document["id"]] = document
        return self.client.task()

    def delete_documents(self, *, filter: str) -> TaskInfo:
        self.client.calls.append(("delete", self.uid, filter))
        return self.client.task()

    def update_settings(self, body: dict[str, Any]) -> TaskInfo:
        self.settings = body
        return self.client.task()

    def search(self, text: str, params: dict[str, Any]) -> dict[str, Any]:
        self.client.calls.append(("search", text, params))
        if self.client.down:
            raise MeilisearchCommunicationError("connection refused")
        return {
            "hits": [{"offer": d["offer"]} for d in self.documents.values()],
            "totalHits": len(self.documents),
        }

    def get_stats(self) -> Stats:
        if self.uid not in self.client.indexes:
            raise api_error("index_not_found")
        return Stats(len(self.documents))


@dataclass
class FakeClient:
    url: str
    api_key: str | None
    timeout: int | None = None
    indexes: dict[str, FakeIndex] = field(default_factory=dict)
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    failing: bool = False
    down: bool = False
    waited: list[int] = field(default_factory=list)
    next_uid: int = 0
    outcomes: dict[int, Task] = field(default_factory=dict)

    def task(self, outcome: Task | None = None) -> TaskInfo:
        self.next_uid += 1
        if outcome is not None:
            self.outcomes[self.next_uid] = outcome
        return TaskInfo(self.next_uid)

    def wait_for_task(self, uid: int, timeout_in_ms: int) -> Task:
        self.waited.append(uid)
        if self.failing:
            return Task(status="failed", error={"message": "invalid document"})
        return self.outcomes.get(uid, Task())

    def get_index(self, uid: str) -> FakeIndex:
        if uid not in self.indexes:
            raise api_error("index_not_found")
        return self.indexes[uid]

    def create_index(self, uid: str, options: dict[str, Any]) -> TaskInfo:
        self.calls.append(("create", uid))
        self.indexes[uid] = FakeIndex(self, uid)
        return self.task()

    def index(self, uid: str) -> FakeIndex:
        return self.indexes.get(uid) or FakeIndex(self, uid)

    def delete_index(self, uid: str) -> TaskInfo:
        self.calls.append(("drop", uid))
        if self.indexes.pop(uid, None) is None:
            missing = {"code": "index_not_found", "message": f"Index `{uid}` not found."}
            return self.task(Task(status="failed", error=missing))
        return self.task()

    def swap_indexes(self, swaps: list[dict[str, list[str]]]) -> TaskInfo:
        self.calls.append(("swap", tuple(swaps[0]["indexes"])))
        a, b = swaps[0]["indexes"]
        self.indexes[a], self.indexes[b] = self.indexes[b], self.indexes[a]
        self.indexes[a].uid, self.indexes[b].uid = a, b
        return self.task()

    def health(self) -> dict[str, str]:
        if self.down:
            raise MeilisearchCommunicationError("connection refused")
        return {"status": "available"}


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> MeiliEngine:
    monkeypatch.setattr(meili.meilisearch, "Client", FakeClient)
    return MeiliEngine("http://127.0.0.1:7700", "master-key", index_uid="offers")


def fake(engine: MeiliEngine) -> FakeClient:
    client = engine._client
    assert isinstance(client, FakeClient)
    return client


def test_key_and_url_reach_the_client(engine: MeiliEngine) -> None:
    assert fake(engine).url == "http://127.0.0.1:7700"
    assert fake(engine).api_key == "master-key"


def test_first_write_creates_the_index_with_settings(engine: MeiliEngine) -> None:
    engine.index(OFFERS[:2])
    client = fake(engine)
    assert ("create", "offers") in client.calls
    assert client.indexes["offers"].settings["rankingRules"][-1] == "free_places:desc"
    assert len(client.indexes["offers"].documents) == 2


def test_writes_wait_for_their_tasks(engine: MeiliEngine) -> None:
    engine.index(OFFERS[:2])
    client = fake(engine)
    assert client.waited == list(range(1, client.next_uid + 1))


def test_large_writes_go_in_batches(engine: MeiliEngine) -> None:
    engine.index(OFFERS * 40)
    adds = [c for c in fake(engine).calls if c[0] == "add"]
    assert [c[2] for c in adds] == [1000, len(OFFERS) * 40 - 1000]


def test_failed_task_raises_with_the_reason(engine: MeiliEngine) -> None:
    fake(engine).failing = True
    with pytest.raises(SearchServerError, match="invalid document"):
        engine.index(OFFERS[:1])


def test_delete_names_the_ids_in_a_filter(engine: MeiliEngine) -> None:
    engine.delete([ID["mbe"], ID["debt"]])
    (call,) = [c for c in fake(engine).calls if c[0] == "delete"]
    assert call[2] == f'id IN ["{ID["mbe"]}", "{ID["debt"]}"]'


def test_rebuild_fills_a_fresh_index_and_swaps_it_in(engine: MeiliEngine) -> None:
    engine.index(OFFERS[:1])
    assert engine.rebuild(iter(OFFERS[1:4])) == 3
    client = fake(engine)
    assert ("swap", ("offers", "offers_rebuild")) in client.calls
    assert client.calls[-1] == ("drop", "offers_rebuild")
    assert len(client.indexes["offers"].documents) == 3


def test_search_translates_the_query_and_reads_hits(engine: MeiliEngine) -> None:
    engine.index(OFFERS[:2])
    result = engine.search(SearchQuery(text="Beratung", free_of_charge=True))
    (call,) = [c for c in fake(engine).calls if c[0] == "search"]
    assert call[1] == "Beratung"
    assert call[2]["filter"] == "free_of_charge = true"
    assert {hit.id for hit in result.hits} == {OFFERS[0].id, OFFERS[1].id}


def test_unreachable_server_is_reported(engine: MeiliEngine) -> None:
    engine.index(OFFERS[:1])
    fake(engine).down = True
    with pytest.raises(SearchServerError, match="connection refused"):
        engine.search(SearchQuery(text="Beratung"))
    health = engine.health()
    assert not health.ok and "connection refused" in health.detail


def test_health_of_a_server_without_the_index_yet(engine: MeiliEngine) -> None:
    health = engine.health()
    assert health.ok and health.documents == 0
    engine.index(OFFERS[:3])
    assert engine.health().documents == 3
