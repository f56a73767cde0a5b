"""Fixtures of the directory tests: a small network, a recorder of outbox events, snapshots."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from conftest import TestUser, run
from outbox import registry
from outbox.registry import OutboxMessage, consumer

TOPICS = [
    "directory.service_changed", "directory.organization_changed",
    "directory.location_changed", "directory.service_retired",
]
RECORDER = "directory-test-recorder"


@functools.cache
def _hash_once(password: str) -> str:
    from accounts.passwords import hash_password

    return hash_password(password)


@pytest.fixture(autouse=True)
def quick_users(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test user has the same password: hash it once (argon2 is slow on purpose)."""
    import accounts.users

    monkeypatch.setattr(accounts.users, "hash_password", _hash_once)


@pytest.fixture(autouse=True)
def recorder(db: None) -> Iterator[None]:
    """Subscribes to the directory's topics so that published events leave outbox rows."""

    @consumer(RECORDER, topics=TOPICS)
    async def record(events: list[OutboxMessage]) -> None:
        return None

    yield
    registry._consumers.pop(RECORDER, None)


def events(topic: str | None = None) -> list[dict[str, Any]]:
    from outbox.tables import OutboxEvent

    query = OutboxEvent.select(OutboxEvent.topic, OutboxEvent.payload).where(
        OutboxEvent.consumer == RECORDER
    ).order_by(OutboxEvent.id)
    rows = run(query)
    found = []
    for row in rows:
        payload = row["payload"]
        if isinstance(payload, str):
            payload = json.loads(payload)
        if topic is None or row["topic"] == topic:
            found.append({"topic": row["topic"], **payload})
    return found


def snapshot() -> dict[str, list[Any]]:
    """Every row of the directory's tables and the outbox: a refused write must change none."""
    from directory.piccolo_app import APP_CONFIG
    from outbox.tables import OutboxEvent

    state: dict[str, list[Any]] = {}
    tables: list[Any] = [*APP_CONFIG.table_classes, OutboxEvent]
    for table in tables:
        rows = run(table.select())
        state[table._meta.tablename] = sorted(sorted(map(str, r.items())) for r in rows)
    return state


@dataclass
class Network:
    org_a: UUID
    org_b: UUID
    kim: UUID
    admin: TestUser
    provider_a: TestUser
    provider_b: TestUser
    case_manager: TestUser
    viewer: TestUser
    place_a: UUID
    place_a2: UUID
    place_b: UUID
    category: UUID
    subcategory: UUID
    other_category: UUID
    target_group: UUID


def _taxonomy() -> tuple[UUID, UUID, UUID, UUID]:
    from directory.tables import Taxonomy, TaxonomyTerm

    categories = Taxonomy(name="Lotse-Kategorien")
    groups = Taxonomy(name="Zielgruppen")
    run(categories.save())
    run(groups.save())
    top = TaxonomyTerm(taxonomy=categories.id, code="sprache", name="Sprache & Integrationskurse",
                       name_en="Language & integration courses")
    run(top.save())
    sub = TaxonomyTerm(taxonomy=categories.id, parent=top.id, code="sprache.integrationskurs",
                       name="Integrationskurs", name_en="Integration course")
    other = TaxonomyTerm(taxonomy=categories.id, code="migrationsberatung",
                         name="Migrationsberatung", name_en="Migration counselling")
    group = TaxonomyTerm(taxonomy=groups.id, code="zielgruppe.gefluechtete",
                         name="Geflüchtete", name_en="Refugees")
    for term in (sub, other, group):
        run(term.save())
    return top.id, sub.id, other.id, group.id


def _location(org: UUID, name: str, district: str) -> UUID:
    from directory.tables import Location

    location = Location(organization=org, name=name, district=district,
                        address_1="Hauptstraße 1", postal_code="45468")
    run(location.save())
    return location.id


@pytest.fixture
def network(make_org: Any, make_user: Any) -> Network:
    org_a = make_org("Caritas Mülheim")
    org_b = make_org("Diakonie Mülheim")
    kim = make_org("KIM Koordinierungsstelle", kind="public_office")
    top, sub, other, group = _taxonomy()
    return Network(
        org_a=org_a, org_b=org_b, kim=kim,
        admin=make_user("network_admin", kim, "admin@example.org"),
        provider_a=make_user("provider_staff", org_a, "anna@caritas.example"),
        provider_b=make_user("provider_staff", org_b, "bernd@diakonie.example"),
        case_manager=make_user("case_manager", kim, "cm@example.org"),
        viewer=make_user("viewer", org_b, "viewer@example.org"),
        place_a=_location(org_a, "Caritas-Haus", "Altstadt I"),
        place_a2=_location(org_a, "Stadtteilbüro", "Styrum"),
        place_b=_location(org_b, "Diakoniezentrum", "Broich"),
        category=top, subcategory=sub, other_category=other, target_group=group,
    )


def full_service(network: Network, **overrides: Any) -> dict[str, Any]:
    """A create request that uses every nested part."""
    body: dict[str, Any] = {
        "organization_id": str(network.org_a),
        "name": "Integrationskurs am Vormittag",
        "description": "Deutsch lernen mit Kinderbetreuung.",
        "email": "kurs@caritas.example",
        "url": "https://caritas.example/kurs",
        "minimum_age": 16,
        "eligibility_description": "Mit Berechtigungsschein des BAMF.",
        "free_of_charge": False,
        "languages": ["de", "ar", "uk"],
        "category_ids": [str(network.subcategory)],
        "target_group_ids": [str(network.target_group)],
        "location_ids": [str(network.place_a), str(network.place_a2)],
        "phones": [{"number": "0208 123456", "description": "Anmeldung"}],
        "contacts": [{"name": "Frau Yilmaz", "email": "yilmaz@caritas.example"}],
        "cost_options": [{"option": "Eigenanteil", "amount": 2.29, "amount_description":
                          "pro Unterrichtsstunde"}],
        "required_documents": [{"document": "Berechtigungsschein"}],
        "translations": [{"language": "en", "name": "Morning integration course"}],
        "capacity": {"unit": "Plätze", "maximum": 20, "available": 4, "waitlist_open": True},
    }
    body.update(overrides)
    return body


def one(query: Any) -> dict[str, Any]:
    """The single row a query must find."""
    row = run(query.first())
    assert row is not None
    return dict(row)
