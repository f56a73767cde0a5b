"""The JSON API answers as its OpenAPI document says, for generated requests (schemathesis).

Every documented operation gets a fixed number of generated requests, valid and invalid ones,
each sent with a network admin's and with a case manager's API token against the demo network
plus one client, consent and referral. A 5xx, a status code the document does not list, a body
or content type that does not match it, or an invalid request answered 2xx fails the test. Some
requests name ids that exist, so that the handlers behind a found resource run too, not only
the 404.
Bounded for the suite: SQLite only (the answers do not depend on the database).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import ASGIClient, get_client
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import TEST_DB, run

pytestmark = pytest.mark.skipif(
    TEST_DB != "sqlite",
    reason="the documented answers do not depend on the database; bounded to SQLite for time",
)

# More for a deeper look: LOTSE_SCHEMA_EXAMPLES=100 .venv/bin/pytest tests/test_api_schema.py
EXAMPLES_PER_OPERATION = int(os.environ.get("LOTSE_SCHEMA_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]
# A live server-sent event stream never ends: a generated request would wait for ever.
STREAM = ("GET", "/notifications/stream")


@dataclass
class Setting:
    """What the generated requests are sent with and which ids they may name."""

    client: ASGIClient
    tokens: dict[str, str]
    ids: dict[str, str]


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def _tokens() -> dict[str, str]:
    from accounts.api import find_user_id, issue_api_token

    tokens = {}
    for role, email in (("admin", "admin@lotse.example"), ("case", "case@lotse.example"),
                        ("provider", "provider@lotse.example")):
        user_id = await find_user_id(email)
        assert user_id is not None, email
        tokens[role] = await issue_api_token(user_id, "schema test")
    return tokens


def _referral(client: ASGIClient, tokens: dict[str, str]) -> dict[str, str]:
    """A client of the case manager with consent and a sent referral to the demo provider."""
    case = {"Authorization": f"Bearer {tokens['case']}"}
    provider = {"Authorization": f"Bearer {tokens['provider']}"}
    provider_org = _ok(client.get("/api/me", headers=provider))["memberships"][0]["organization_id"]
    services = _ok(client.get("/api/services", headers=case,
                              params={"organization_id": provider_org}))["items"]
    service_id = services[0]["id"]
    person = _ok(client.post("/api/clients", headers=case, json={
        "given_name": "Aylin", "family_name": "Yilmaz", "languages": ["tr"],
        "district": "Styrum", "birth_date": "1990-05-17"}), 201)
    today = date.today()
    consent = _ok(client.post(f"/api/clients/{person['id']}/consents", headers=case, json={
        "recipient_org_ids": [provider_org], "purpose": "referral",
        "data_categories": ["identity", "languages", "district"],
        "valid_from": (today - timedelta(days=1)).isoformat(),
        "valid_until": (today + timedelta(days=180)).isoformat(), "evidence": "written"}), 201)
    referral = _ok(client.post("/api/referrals", headers=case, json={
        "client_id": person["id"], "service_id": service_id, "need_category": "language_course",
        "need_text": "Deutschkurs B1", "urgency": "normal", "languages": ["tr"],
        "shared_categories": ["identity"], "district": "Styrum"}), 201)
    _ok(client.post(f"/api/referrals/{referral['id']}/transitions", headers=case,
                    json={"to": "sent"}))
    location = _ok(client.get("/api/locations", headers=case))["items"][0]["id"]
    return {"service_id": service_id, "organization_id": provider_org,
            "client_id": person["id"], "consent_id": consent["id"],
            "referral_id": referral["id"], "location_id": location}


@pytest.fixture(scope="module")
def setting(migrated: None) -> Iterator[Setting]:
    from app import create_app
    from conftest import _empty_search_index, _truncate
    from directory.demo import load_demo

    run(_truncate())
    _empty_search_index()
    run(load_demo())
    tokens = run(_tokens())
    with pytest.MonkeyPatch.context() as patch:
        import core.outbound

        # Webhook and calendar addresses are generated: every name resolves to loopback, which
        # the outbound guard refuses, so no request leaves the machine.
        patch.setattr(core.outbound, "lookup", lambda host, port: ["127.0.0.1"])
        app: Any = create_app()
        with get_client(app) as client:
            ids = _referral(client, tokens)
            yield Setting(client, tokens, ids)
    run(_truncate())
    _empty_search_index()


def _document() -> Any:
    """The schema as the application serves it; built without a database."""
    from app import create_app

    return schemathesis.openapi.from_dict(create_app().openapi_schema.to_schema())


def _operations() -> dict[str, Any]:
    if TEST_DB != "sqlite":  # skipped: not even the engine is made for a database not yet there
        return {"all operations": None}
    return {
        operation.label: operation
        for operation in (result.ok() for result in _document().get_all_operations())
        if (operation.method.upper(), operation.path) != STREAM
    }


OPERATIONS = _operations()


def _strategy(operation: Any, ids: dict[str, str]) -> Any:
    """Valid and invalid requests, with generated path ids and with ids that exist."""
    modes = [operation.as_strategy(generation_mode=mode)
             for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    names = {parameter.name for parameter in operation.path_parameters}
    if names and names <= set(ids):
        known = {name: ids[name] for name in names}
        modes.append(operation.as_strategy(path_parameters=known))
    return st.one_of(modes)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_api_answers_as_documented(label: str, setting: Setting) -> None:
    operation = OPERATIONS[label]

    @given(case=_strategy(operation, setting.ids))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], database=None,
              suppress_health_check=list(HealthCheck))
    def answers(case: schemathesis.Case) -> None:
        for role in ("admin", "case"):
            case.call_and_validate(session=setting.client, checks=CHECKS,
                                   headers={"Authorization": f"Bearer {setting.tokens[role]}"})

    answers()
