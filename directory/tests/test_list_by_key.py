"""Paging the offers by key: `after=<id of the last offer you have>` continues the list in
name order, the same offers as page numbers give, however deep into the list."""

from __future__ import annotations

from typing import Any

from conftest import run
from directory.tables import Service
from directory.tests.conftest import Network


def test_pages_after_an_offer_continue_in_name_order_like_page_numbers(
    network: Network, make_service: Any, api_client: Any
) -> None:
    # Two offers share a name: the id decides between them, as in the numbered pages.
    for name in ["Café", "Beratung", "Deutschkurs", "Beratung", "Alpha", "Zumba", "Nähen"]:
        make_service(network.org_a, name=name)
    retired = make_service(network.org_a, name="Beratung alt")
    run(Service.update({Service.retired_at: Service.last_modified}).where(Service.id == retired))
    client = api_client(network.viewer)
    numbered = [item["id"] for page in (1, 2, 3, 4)
                for item in client.get(f"/api/services?per_page=2&page={page}").json()["items"]]

    by_key: list[str] = []
    answer = client.get("/api/services?per_page=2").json()
    while answer["items"]:
        by_key += [item["id"] for item in answer["items"]]
        assert answer["total"] == 7
        answer = client.get(f"/api/services?per_page=2&after={by_key[-1]}").json()
    assert by_key == numbered
    assert len(by_key) == 7 and str(retired) not in by_key


def test_after_works_with_the_filters(network: Network, make_service: Any,
                                      api_client: Any) -> None:
    for n in range(4):
        make_service(network.org_a, name=f"A {n}")
        make_service(network.org_b, name=f"B {n}")
    client = api_client(network.viewer)
    first = client.get(f"/api/services?per_page=2&organization_id={network.org_b}").json()
    rest = client.get(f"/api/services?per_page=5&organization_id={network.org_b}"
                      f"&after={first['items'][-1]['id']}").json()
    assert [i["name"] for i in first["items"] + rest["items"]] == [f"B {n}" for n in range(4)]


def test_after_an_unknown_offer_is_refused_with_a_message(network: Network,
                                                          api_client: Any) -> None:
    client = api_client(network.viewer)
    unknown = "00000000-0000-4000-8000-000000000000"
    answer = client.get(f"/api/services?after={unknown}")
    assert answer.status_code == 400
    # The JSON API answers in English (pages translate the same message).
    assert f"no offer with the id {unknown}" in answer.json()["detail"]
    assert client.get("/api/services?after=nonsense").status_code == 400
