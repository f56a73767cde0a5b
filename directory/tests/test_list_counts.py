"""List totals are kept a moment per process: a change made here counts at once, a change made
behind the process's back (another process) counts once the kept total is renewed."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import run
from directory import list_counts
from directory.tables import Service
from directory.tests.conftest import Network, full_service


def _retire_behind_the_back(service_id: Any) -> None:
    # A plain statement, not `atomic()`: as another process's commit, unseen by this one's hooks.
    run(Service.update({Service.retired_at: Service.last_modified}).where(Service.id == service_id))


def test_an_offer_added_in_this_process_counts_at_once(
    network: Network, make_service: Any, api_client: Any
) -> None:
    client, provider = api_client(network.viewer), api_client(network.provider_a)
    make_service(network.org_a, name="Alpha")
    assert client.get("/api/services").json()["total"] == 1
    assert client.get("/hsds/services").json()["total_items"] == 1
    created = provider.post("/api/services", json=full_service(network))
    assert created.status_code == 201, created.text
    assert client.get("/api/services").json()["total"] == 2
    assert client.get("/hsds/services").json()["total_items"] == 2


def test_a_change_from_elsewhere_counts_once_the_total_is_renewed(
    network: Network, make_service: Any, api_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = api_client(network.viewer)
    first = make_service(network.org_a, name="Alpha")
    make_service(network.org_a, name="Beta")
    assert client.get("/api/services").json()["total"] == 2
    _retire_behind_the_back(first)
    # Still the kept total: the list itself is read fresh.
    answer = client.get("/api/services").json()
    assert answer["total"] == 2 and len(answer["items"]) == 1
    monkeypatch.setattr(list_counts, "FORGET_AFTER", 0.0)
    assert client.get("/api/services").json()["total"] == 1


def test_filtered_totals_are_kept_apart(network: Network, make_service: Any,
                                        api_client: Any) -> None:
    client = api_client(network.viewer)
    make_service(network.org_a, name="Alpha")
    make_service(network.org_b, name="Beta")
    make_service(network.org_b, name="Gamma")
    assert client.get("/api/services").json()["total"] == 3
    assert client.get(f"/api/services?organization_id={network.org_b}").json()["total"] == 2
    assert client.get(f"/api/services?organization_id={network.org_a}").json()["total"] == 1
