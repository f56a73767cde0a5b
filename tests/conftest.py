"""Fixtures of the journeys that cross domains."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import TestUser, run
from tests.journeys import Network, build_network


class SignedIn:
    """One person's requests to a shared application: their API token on every request."""

    def __init__(self, client: Any, user: TestUser) -> None:
        from accounts.credentials import issue_token

        _id, secret = run(issue_token(user.id, "journey"))
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.client.post(url, headers=self.headers, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> Any:
        return self.client.patch(url, headers=self.headers, **kwargs)


@pytest.fixture
def network(make_org: Any, make_user: Any, make_service: Any, api_client: Any) -> Network:
    """A case manager at Caritas, a provider at AWO and its offer with 3 free places."""
    return build_network(make_org, make_user, make_service, api_client)


@pytest.fixture
def delivering_network(
    make_org: Any, make_user: Any, make_service: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Network]:
    """The same network in one application that delivers its outbox after each commit, as
    `lotse serve` does (background jobs and all)."""
    from litestar.testing import TestClient

    from app import create_app
    from settings import get_settings

    monkeypatch.setenv("LOTSE_RUN_DISPATCHER", "true")
    get_settings.cache_clear()
    try:
        with TestClient(app=create_app()) as client:
            yield build_network(make_org, make_user, make_service,
                                lambda user: SignedIn(client, user))
    finally:
        monkeypatch.undo()  # back to the suite's setting, not to the default
        get_settings.cache_clear()
