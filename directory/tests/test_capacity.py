"""Capacity: the API, one-click steps, the signed e-mail link, staleness and reminders."""

from __future__ import annotations

import email
import email.policy
import shutil
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import itsdangerous
import pytest
from litestar.testing import TestClient

from conftest import run
from directory.capacity import is_stale
from directory.reminders import capacity_links, send_capacity_reminders
from directory.signing import capacity_token
from directory.tables import Capacity, Service
from directory.tests.conftest import Network, events, snapshot
from settings import get_settings, load_settings


def _capacity(service_id: UUID) -> dict[str, Any]:
    row = run(Capacity.select().where(Capacity.service == service_id).first())
    assert row is not None
    return row


def test_patch_capacity_sets_figures_and_who_updated(network: Network, make_service: Any,
                                                     api_client: Any) -> None:
    service_id = make_service(network.org_a, available=3, maximum=10)
    run(Capacity.update({Capacity.updated: datetime(2020, 1, 1, tzinfo=UTC)}, force=True))
    response = api_client(network.provider_a).patch(
        f"/api/services/{service_id}/capacity",
        json={"available": 0, "waitlist_open": True, "maximum": 12},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["available"], body["maximum"], body["waitlist_open"]) == (0, 12, True)
    assert body["stale"] is False
    row = _capacity(service_id)
    assert row["updated_by"] == network.provider_a.id
    assert row["updated"] > datetime.now(UTC) - timedelta(minutes=1)
    assert events() == [{"topic": "directory.service_changed", "service_id": str(service_id)}]


def test_patch_capacity_creates_the_record_for_an_untracked_offer(
    network: Network, api_client: Any,
) -> None:
    service = Service(organization=network.org_a, name="Sprechstunde")
    run(service.save())
    response = api_client(network.provider_a).patch(
        f"/api/services/{service.id}/capacity", json={"available": 2, "unit": "Termine"})
    assert response.status_code == 200, response.text
    assert _capacity(service.id)["unit"] == "Termine"


def test_capacity_of_a_retired_offer_cannot_change(network: Network, make_service: Any,
                                                   api_client: Any) -> None:
    service_id = make_service(network.org_a)
    client = api_client(network.provider_a)
    client.post(f"/api/services/{service_id}/retire")
    before = snapshot()
    response = client.patch(f"/api/services/{service_id}/capacity", json={"available": 1})
    assert response.status_code == 409
    assert client.post(f"/api/services/{service_id}/confirm").status_code == 409
    assert snapshot() == before


def test_is_stale_after_the_configured_days() -> None:
    settings = load_settings({"LOTSE_CAPACITY_STALE_DAYS": "10", "LOTSE_SECRET_KEY": "k" * 40})
    now = datetime.now(UTC)
    assert not is_stale(now - timedelta(days=9), settings)
    assert is_stale(now - timedelta(days=11), settings)
    assert is_stale(None, settings)


# --- one click on the pages ------------------------------------------------------------------


def test_one_click_steps_on_the_offer_page(network: Network, make_service: Any,
                                           client: TestClient, login: Any) -> None:
    service_id = make_service(network.org_a, available=1, maximum=2)
    login(client, network.provider_a)
    htmx = {"HX-Request": "true"}
    plus = client.post(f"/offers/{service_id}/capacity", data={"action": "plus"}, headers=htmx)
    assert plus.status_code == 200
    assert "2 von 2 Plätzen frei" in plus.text
    refused = client.post(f"/offers/{service_id}/capacity", data={"action": "plus"},
                          headers=htmx)
    assert "Alle Plätze sind bereits frei" in refused.text
    assert _capacity(service_id)["available"] == 2
    client.post(f"/offers/{service_id}/capacity", data={"action": "full"}, headers=htmx)
    assert _capacity(service_id)["available"] == 0
    opened = client.post(f"/offers/{service_id}/capacity", data={"action": "waitlist_open"},
                         headers=htmx)
    assert _capacity(service_id)["waitlist_open"] is True
    assert "Warteliste schließen" in opened.text
    # Without HTMX the browser is sent back to the page.
    back = client.post(f"/offers/{service_id}/capacity", data={"action": "minus"},
                       follow_redirects=False)
    assert back.status_code == 400  # no free place left to take away
    confirmed = client.post(f"/offers/{service_id}/confirm", headers=htmx)
    assert "Heute als richtig bestätigt" in confirmed.text
    assert len(events("directory.service_changed")) == 4


def test_one_click_is_refused_for_other_organisations(network: Network, make_service: Any,
                                                      client: TestClient,
                                                      login: Any) -> None:
    service_id = make_service(network.org_a, available=1)
    login(client, network.provider_b)
    response = client.post(f"/offers/{service_id}/capacity", data={"action": "full"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert _capacity(service_id)["available"] == 1


# --- the signed link -------------------------------------------------------------------------


def _anonymous_post(client: TestClient, path: str, data: dict[str, str],
                    follow: bool = True) -> Any:
    client.get(path)
    return client.post(path, data={**data, "csrf_token": client.cookies.get("lotse_csrf")},
                       follow_redirects=follow)


def test_signed_link_updates_without_log_in(network: Network, make_service: Any,
                                            client: TestClient) -> None:
    service_id = make_service(network.org_a, name="Sprachcafé", available=3, maximum=5)
    path = f"/capacity/{capacity_token(service_id, network.provider_a.id)}"
    page = client.get(path)
    assert page.status_code == 200
    assert "Sprachcafé" in page.text and "3 von 5 Plätzen frei" in page.text
    response = _anonymous_post(client, path, {"action": "minus"}, follow=False)
    # Post/redirect/get: reloading the thank-you page takes no second place.
    assert response.status_code == 303
    assert response.headers["location"] == f"{path}?done=saved"
    thanks = client.get(response.headers["location"])
    assert "Gespeichert" in thanks.text and "2 von 5 Plätzen frei" in thanks.text
    row = _capacity(service_id)
    assert row["available"] == 2
    assert row["updated_by"] == network.provider_a.id
    assert row["updated_by_name"].startswith("Test provider_staff")
    assert events() == [{"topic": "directory.service_changed", "service_id": str(service_id)}]


def test_tampered_link_is_refused(network: Network, make_service: Any,
                                  client: TestClient) -> None:
    service_id = make_service(network.org_a, available=3)
    other_id = make_service(network.org_a, name="Anderes", available=3)
    token = capacity_token(service_id, network.provider_a.id)
    forged = capacity_token(other_id, network.provider_a.id)
    # The payload of one link with the signature of another.
    mixed = forged.rsplit(".", 1)[0] + "." + token.rsplit(".", 1)[1]
    assert mixed not in (token, forged)
    before = snapshot()
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), mixed, "nonsense"):
        assert client.get(f"/capacity/{bad}").status_code == 403
        response = _anonymous_post(client, f"/capacity/{bad}", {"action": "full"})
        assert response.status_code == 403
        assert "nicht gültig" in response.text
    assert snapshot() == before


def test_expired_link_is_refused(network: Network, make_service: Any, client: TestClient,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    service_id = make_service(network.org_a, available=3)
    with monkeypatch.context() as patched:
        patched.setattr(itsdangerous.TimestampSigner, "get_timestamp",
                        lambda self: int(datetime.now(UTC).timestamp()) - 15 * 86400)
        token = capacity_token(service_id, network.provider_a.id)
    before = snapshot()
    assert client.get(f"/capacity/{token}").status_code == 410
    response = _anonymous_post(client, f"/capacity/{token}", {"action": "full"})
    assert response.status_code == 410
    assert "abgelaufen" in response.text
    assert snapshot() == before


def test_link_stops_working_when_the_person_leaves_the_organisation(
    network: Network, make_service: Any, client: TestClient,
) -> None:
    service_id = make_service(network.org_a, available=3)
    token = capacity_token(service_id, network.provider_b.id)
    assert client.get(f"/capacity/{token}").status_code == 403
    assert _anonymous_post(client, f"/capacity/{token}", {"action": "full"}).status_code == 403
    assert _capacity(service_id)["available"] == 3


def test_links_for_an_organisation(network: Network, make_service: Any,
                                   client: TestClient) -> None:
    make_service(network.org_a, name="B-Kurs")
    make_service(network.org_a, name="A-Kurs")
    make_service(network.org_b, name="Fremd")
    links = run(capacity_links(network.org_a, network.provider_a.id))
    assert [link.service_name for link in links] == ["A-Kurs", "B-Kurs"]
    assert all(link.url.startswith(get_settings().base_url + "/capacity/") for link in links)
    path = links[0].url.removeprefix(get_settings().base_url)
    assert "A-Kurs" in client.get(path).text


def test_reminders_mail_each_provider_staff_member_their_links(
    network: Network, make_service: Any, make_user: Any, client: TestClient,
) -> None:
    make_service(network.org_a, name="Sprachcafé")
    make_service(network.org_a, name="Migrationsberatung")
    second = make_user("provider_staff", network.org_a, "zweite@caritas.example")
    folder = get_settings().data_dir / "mail"
    shutil.rmtree(folder, ignore_errors=True)
    # Organisation B has no offers: its staff get no mail.
    assert run(send_capacity_reminders()) == 2
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
             for p in sorted(folder.glob("*.eml"))]
    assert sorted(m["To"] for m in mails) == sorted([network.provider_a.email, second.email])
    for mail in mails:
        content = mail.get_body()
        assert content is not None
        body = content.get_content()
        assert "Sprachcafé" in body and "Migrationsberatung" in body
        assert "Caritas Mülheim" in mail["Subject"]
        urls = [line for line in body.splitlines() if "/capacity/" in line]
        assert len(urls) == 2
        path = urls[0].removeprefix(get_settings().base_url)
        assert client.get(path).status_code == 200


# --- places held by accepted referrals --------------------------------------------------------


def _take(service_id: UUID, times: int = 1) -> None:
    from core.db import atomic
    from directory import api as directory

    async def take() -> None:
        async with atomic():
            for _ in range(times):
                await directory.take_place(service_id)

    run(take())


def _give_back(service_id: UUID) -> None:
    from core.db import atomic
    from directory import api as directory

    async def give() -> None:
        async with atomic():
            await directory.return_place(service_id)

    run(give())


def test_taking_and_returning_a_place_counts_it_as_held_and_tells_search(
    network: Network, make_service: Any,
) -> None:
    service_id = make_service(network.org_a, available=2, maximum=2)
    _take(service_id)
    assert (_capacity(service_id)["available"], _capacity(service_id)["held"]) == (1, 1)
    _give_back(service_id)
    assert (_capacity(service_id)["available"], _capacity(service_id)["held"]) == (2, 0)
    assert events("directory.service_changed") == [
        {"topic": "directory.service_changed", "service_id": str(service_id)}
    ] * 2


def test_returning_a_place_never_raises_free_places_above_the_maximum(
    network: Network, make_service: Any,
) -> None:
    service_id = make_service(network.org_a, available=2, maximum=2)
    _take(service_id)
    # Figures older than the count of held places: the maximum no longer leaves room.
    run(Capacity.update({Capacity.maximum: 1}).where(Capacity.service == service_id))
    _give_back(service_id)
    row = _capacity(service_id)
    assert (row["available"], row["held"], row["maximum"]) == (1, 0, 1)


def test_manual_edit_cannot_free_places_that_referrals_hold(
    network: Network, make_service: Any, api_client: Any,
) -> None:
    service_id = make_service(network.org_a, available=5, maximum=5)
    _take(service_id, 3)
    client = api_client(network.provider_a)
    before = snapshot()
    too_many = client.patch(f"/api/services/{service_id}/capacity", json={"available": 3})
    assert too_many.status_code == 409, too_many.text
    assert "held" in too_many.json()["detail"]
    too_small = client.patch(f"/api/services/{service_id}/capacity", json={"maximum": 2})
    assert too_small.status_code == 409, too_small.text
    assert snapshot() == before
    allowed = client.patch(f"/api/services/{service_id}/capacity",
                           json={"available": 4, "maximum": 7})
    assert allowed.status_code == 200, allowed.text


def test_plus_step_stops_at_the_maximum_minus_held_places(
    network: Network, make_service: Any, client: TestClient, login: Any,
) -> None:
    service_id = make_service(network.org_a, available=1, maximum=2)
    _take(service_id)
    login(client, network.provider_a)
    htmx = {"HX-Request": "true"}
    client.post(f"/offers/{service_id}/capacity", data={"action": "plus"}, headers=htmx)
    refused = client.post(f"/offers/{service_id}/capacity", data={"action": "plus"},
                          headers=htmx)
    assert "Alle Plätze sind bereits frei" in refused.text
    assert (_capacity(service_id)["available"], _capacity(service_id)["held"]) == (1, 1)


@pytest.mark.parametrize("typed", ["²", "-1", "drei", "1234567"])
def test_typed_free_places_that_are_no_number_are_refused_in_words(
    network: Network, make_service: Any, client: TestClient, login: Any, typed: str
) -> None:
    service_id = make_service(network.org_a, available=1, maximum=5)
    login(client, network.provider_a)
    answer = client.post(f"/offers/{service_id}/capacity",
                         data={"action": "set", "available": typed}, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "als ganze Zahl angeben" in answer.text
    assert _capacity(service_id)["available"] == 1
