"""What other domains and the command line get from `accounts.api`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from click.testing import CliRunner

from accounts import api as accounts
from cli import add_domain_commands, main
from conftest import run


def test_memberships_are_listed_by_email_with_the_organisation_name(make_user: Any,
                                                                     make_org: Any) -> None:
    org = make_org("Caritas Mülheim")
    make_user("viewer", organization_id=org, email="b@example.org")
    make_user("case_manager", organization_id=org, email="a@example.org")

    listed = run(accounts.list_memberships())

    assert [(m.email, m.role, m.organization_name) for m in listed] == [
        ("a@example.org", "case_manager", "Caritas Mülheim"),
        ("b@example.org", "viewer", "Caritas Mülheim"),
    ]


def test_users_list_prints_one_line_per_membership(make_user: Any, make_org: Any) -> None:
    make_user("provider_staff", organization_id=make_org("AWO"), email="p@example.org")

    add_domain_commands()
    result = CliRunner().invoke(main, ["users", "list"], catch_exceptions=False)

    assert result.exit_code == 0
    assert result.output.split() == ["p@example.org", "provider_staff", "AWO"]


def test_users_added_in_bulk_share_one_password_and_are_counted(make_org: Any,
                                                                make_user: Any) -> None:
    org = make_org()
    other = make_user("viewer")
    new = [accounts.NewUser(id=uuid.uuid4(), email=f"bulk{n}@example.org",
                            display_name=f"Bulk {n}", organization_id=org, role="viewer",
                            membership_id=uuid.uuid4()) for n in range(3)]

    run(accounts.add_users(new, run(accounts.shared_password("geheim-und-lang")),
                           datetime.now(UTC)))

    counted = run(accounts.count_users([user.id for user in new]))
    assert (counted.listed, counted.others) == (3, 1)
    user = run(accounts.load_user(new[0].id))
    assert user is not None and user.roles_in(org) == {"viewer"}
    assert run(accounts.find_user_id(other.email)) == other.id
