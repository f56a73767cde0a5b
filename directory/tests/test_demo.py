from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner

import conftest
from accounts.passwords import verify_password
from accounts.tables import Membership, User
from cli import demo as demo_command
from conftest import all_tables, run
from directory.demo import DemoRefusedError, demo_logins, load_demo
from directory.demo_data.build import build_demo, organization_id
from directory.tables import (
    Capacity,
    CostOption,
    Location,
    Organization,
    Service,
    ServiceTerm,
    ServiceTranslation,
)
from directory.taxonomy_data import top_category_codes, top_category_of
from settings import get_settings


def table_counts() -> dict[str, int]:
    return {t._meta.tablename: run(t.count()) for t in all_tables()}


@pytest.fixture
def loaded(db: None) -> Any:
    return run(load_demo())


def test_demo_loads_at_least_40_organisations_and_150_offers(loaded: Any) -> None:
    assert run(Organization.count()) >= 40
    assert run(Service.count()) >= 150
    assert loaded.organizations == run(Organization.count())
    assert loaded.offers == run(Service.count())
    assert not loaded.already_loaded


def test_every_top_category_has_offers(loaded: Any) -> None:
    codes = run(ServiceTerm.select(ServiceTerm.term.code).output(as_list=True))
    used = {top_category_of(code) for code in codes}
    assert set(top_category_codes()) <= used
    assert len(top_category_codes()) >= 12


def test_locations_lie_in_several_muelheim_districts(loaded: Any) -> None:
    rows = run(Location.select(Location.district, Location.postal_code, Location.latitude,
                               Location.longitude))
    assert len({row["district"] for row in rows}) >= 5
    for row in rows:
        assert 45468 <= int(row["postal_code"]) <= 45481
        if row["latitude"] is not None:
            assert 51.36 < row["latitude"] < 51.47
            assert 6.80 < row["longitude"] < 6.97


def test_capacities_include_full_waitlisted_stale_and_fresh_offers(loaded: Any) -> None:
    rows = run(Capacity.select())
    stale_before = datetime.now(UTC) - timedelta(days=get_settings().capacity_stale_days)
    assert any(row["available"] == 0 and not row["waitlist_open"] for row in rows)
    assert any(row["available"] == 0 and row["waitlist_open"] for row in rows)
    assert any(row["available"] > 0 for row in rows)
    assert any(row["updated"] < stale_before for row in rows)
    assert any(row["updated"] > stale_before for row in rows)
    assert {row["unit"] for row in rows} == {"Plätze", "Termine pro Woche"}
    assert all(0 <= row["available"] <= row["maximum"] for row in rows)


def test_most_offers_are_free_and_the_others_state_their_cost(loaded: Any) -> None:
    paid = run(Service.select(Service.id).where(Service.free_of_charge == False)  # noqa: E712
               .output(as_list=True))
    with_cost = run(CostOption.select(CostOption.service).output(as_list=True))
    assert 0 < len(paid) < loaded.offers / 2
    assert set(paid) == set(with_cost)


def test_offers_are_translated_into_english_arabic_ukrainian_and_turkish(loaded: Any) -> None:
    languages = run(ServiceTranslation.select(ServiceTranslation.language).output(as_list=True))
    assert {"en", "ar", "uk", "tr"} <= set(languages)


def test_descriptions_differ_between_offers_of_the_same_kind(loaded: Any) -> None:
    rows = run(Service.select(Service.name, Service.description))
    descriptions = [row["description"] for row in rows]
    assert len(set(descriptions)) == len(descriptions)
    counselling = [row["description"] for row in rows
                   if row["name"] == "Migrationsberatung für Erwachsene (MBE)"]
    assert len(counselling) >= 3
    # Composed from alternative parts: not even the first sentences are all the same.
    assert len({d.split(". ")[0] for d in counselling}) > 1


def test_each_demo_login_has_its_role_and_the_demo_password(loaded: Any) -> None:
    rows = run(Membership.select(Membership.user.email, Membership.role,
                                 Membership.user.password_hash, Membership.organization.name))
    roles = {row["user.email"]: row["role"] for row in rows}
    assert roles == {
        "admin@lotse.example": "network_admin",
        "case@lotse.example": "case_manager",
        "case2@lotse.example": "case_manager",
        "provider@lotse.example": "provider_staff",
        "provider2@lotse.example": "provider_staff",
        "viewer@lotse.example": "viewer",
    }
    admin = next(row for row in rows if row["user.email"] == "admin@lotse.example")
    assert admin["organization.name"] == "Kommunales Integrationsmanagement Mülheim"
    assert all(verify_password(row["user.password_hash"], "lotse-demo") for row in rows)
    assert [login.email for login in loaded.logins] == [login.email for login in demo_logins()]


def test_scoping_demo_users_sit_in_different_organisations(loaded: Any) -> None:
    rows = run(Membership.select(Membership.user.email, Membership.organization))
    org_of = {row["user.email"]: row["organization"] for row in rows}
    assert org_of["provider@lotse.example"] != org_of["provider2@lotse.example"]
    assert org_of["case@lotse.example"] != org_of["case2@lotse.example"]
    provider_capacities = run(
        Capacity.count().where(Capacity.service.organization == org_of["provider@lotse.example"])
    )
    assert provider_capacities >= 3


def test_demo_user_can_log_in(loaded: Any, client: Any, login: Any) -> None:
    user_id = run(User.select(User.id).where(User.email == "provider@lotse.example")
                  .output(as_list=True))[0]
    org = organization_id("awo-integration")
    login(client, conftest.TestUser(user_id, "provider@lotse.example", "lotse-demo", org,
                           "provider_staff"))
    me = client.get("/api/me").json()
    assert me["memberships"][0]["organization_name"] == "AWO Integrationsdienste Mülheim"


def test_second_run_reports_loaded_and_changes_nothing(loaded: Any) -> None:
    before = table_counts()
    modified = run(Service.select(Service.id, Service.last_modified))
    again = run(load_demo())
    assert again.already_loaded
    assert table_counts() == before
    assert run(Service.select(Service.id, Service.last_modified)) == modified


def test_database_with_a_foreign_organisation_is_refused_and_unchanged(make_org: Any) -> None:
    make_org("Beratungsstelle außerhalb der Demo")
    before = table_counts()
    with pytest.raises(DemoRefusedError, match="1 organisation and 0 users"):
        run(load_demo())
    assert table_counts() == before


def test_database_with_a_foreign_user_is_refused(db: None) -> None:
    from accounts.users import create_user

    run(create_user("someone@example.org", "Someone", "long-enough-password"))
    with pytest.raises(DemoRefusedError, match="not part of the demo"):
        run(load_demo())
    assert run(Organization.count()) == 0


def test_partly_present_demo_is_refused(loaded: Any) -> None:
    viewer = run(User.select(User.id).where(User.email == "viewer@lotse.example")
                 .output(as_list=True))[0]
    run(Membership.delete().where(Membership.user == viewer))
    run(User.delete().where(User.id == viewer))
    before = table_counts()
    with pytest.raises(DemoRefusedError, match="only part of the demo"):
        run(load_demo())
    assert table_counts() == before


def test_ids_and_content_are_the_same_on_every_run(loaded: Any) -> None:
    stored = run(Service.select(Service.id, Service.name, Service.description)
                 .order_by(Service.id))
    rebuilt = build_demo(datetime.now(UTC) + timedelta(days=3))
    expected = [
        {"id": s.id, "name": s.name, "description": s.description}
        for s in sorted(rebuilt.services, key=lambda service: str(service.id))
    ]
    assert stored == expected
    stored_orgs = set(run(Organization.select(Organization.id).output(as_list=True)))
    assert stored_orgs == {org.id for org in rebuilt.organizations}


def test_cli_prints_the_logins(db: None) -> None:
    result = CliRunner().invoke(demo_command)
    assert result.exit_code == 0, result.output
    assert "provider@lotse.example" in result.output
    assert "lotse-demo" in result.output
    again = CliRunner().invoke(demo_command)
    assert again.exit_code == 0
    assert "already loaded" in again.output


def test_cli_exits_with_an_error_when_refused(make_org: Any) -> None:
    make_org("Fremde Organisation")
    result = CliRunner().invoke(demo_command)
    assert result.exit_code == 1
    assert "not part of the demo" in result.output
