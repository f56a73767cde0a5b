"""Free places as a case manager sees them: accepting takes one, and search shows it."""

from __future__ import annotations

from tests.journeys import (
    Network,
    answer,
    free_places_in_search,
    new_client_with_consent,
    ok,
    send_referral,
    wait_for,
)

# That the change arrives is tested here; how fast is measured by scripts/bench_visibility.py
# (the tests share a busy machine, where a deadline of a second fails without a fault).
SEARCH_WAIT = 10.0


def test_search_shows_one_place_fewer_after_an_acceptance(
    delivering_network: Network,
) -> None:
    network = delivering_network
    words = "Deutschkurs"
    assert free_places_in_search(network.sender, network.service_id, words) == 3
    client_id, _consent = new_client_with_consent(network)
    referral_id = send_referral(network, client_id)

    ok(answer(network.receiver, referral_id, to="accepted", appointment="Mo 10 Uhr"))

    seen = wait_for(
        lambda: free_places_in_search(network.sender, network.service_id, words) == 2, SEARCH_WAIT
    )
    assert seen, "search still shows the free places from before the acceptance"
    offer = ok(network.sender.get(f"/api/services/{network.service_id}"))
    assert offer["capacity"]["available"] == 2


def test_closing_an_accepted_referral_gives_the_place_back_to_search(
    delivering_network: Network,
) -> None:
    network = delivering_network
    client_id, _consent = new_client_with_consent(network)
    referral_id = send_referral(network, client_id)
    ok(answer(network.receiver, referral_id, to="accepted", appointment="Mo 10 Uhr"))
    ok(answer(network.receiver, referral_id, to="failed", reason="client_unreachable"))

    assert wait_for(
        lambda: free_places_in_search(network.sender, network.service_id, "Deutschkurs") == 3,
        SEARCH_WAIT,
    )


def test_manual_edit_below_the_places_held_is_refused_and_changes_nothing(
    network: Network,
) -> None:
    for _ in range(2):
        client_id, _consent = new_client_with_consent(network)
        ok(answer(network.receiver, send_referral(network, client_id), to="accepted",
                  appointment="Di 9 Uhr"))
    capacity_url = f"/api/services/{network.service_id}/capacity"

    too_many_free = network.receiver.patch(capacity_url, json={"available": 3})
    smaller_than_held = network.receiver.patch(capacity_url, json={"maximum": 1})

    for refused in (too_many_free, smaller_than_held):
        assert 400 <= refused.status_code < 500, refused.text
        assert "2" in refused.json()["detail"], "the message names the places held"
    capacity = ok(network.receiver.get(f"/api/services/{network.service_id}"))["capacity"]
    assert (capacity["available"], capacity["maximum"]) == (1, 3)


def test_manual_edit_within_the_places_held_is_taken(network: Network) -> None:
    client_id, _consent = new_client_with_consent(network)
    ok(answer(network.receiver, send_referral(network, client_id), to="accepted",
              appointment="Di 9 Uhr"))

    changed = ok(network.receiver.patch(f"/api/services/{network.service_id}/capacity",
                                        json={"maximum": 5, "available": 4}))

    assert (changed["available"], changed["maximum"]) == (4, 5)


def test_no_more_acceptances_than_places(network: Network) -> None:
    results = []
    for _ in range(4):
        client_id, _consent = new_client_with_consent(network)
        results.append(answer(network.receiver, send_referral(network, client_id),
                              to="accepted", appointment="Mi 11 Uhr").status_code)
    assert results == [200, 200, 200, 409]
