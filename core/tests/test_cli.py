from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from cli import add_domain_commands, main
from conftest import run


def invoke(*args: str, **kwargs: Any) -> Any:
    add_domain_commands()
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kwargs)


def test_every_command_has_help() -> None:
    for command in ("migrate", "serve", "worker", "users", "token", "demo"):
        result = invoke(command, "--help")
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.output


def test_migrate_is_safe_to_run_again_and_installs_the_taxonomy(db: None) -> None:
    from directory.tables import TaxonomyTerm

    assert invoke("migrate").exit_code == 0
    first = run(TaxonomyTerm.count())
    assert invoke("migrate").exit_code == 0
    assert run(TaxonomyTerm.count()) == first > 12


def test_users_create_then_token_gives_a_working_bearer_token(client: Any, make_org: Any) -> None:
    org = make_org("Jugendmigrationsdienst")
    created = invoke("users", "create", "--email", "neu@example.org", "--name", "Neu",
                     "--organization", str(org), "--role", "case_manager",
                     env={"LOTSE_NEW_PASSWORD": "ein-langes-passwort"})
    assert created.exit_code == 0, created.output
    token = invoke("token", "--user", "neu@example.org").output.strip()
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["email"] == "neu@example.org"


def test_users_create_with_an_unknown_role_is_refused(make_org: Any) -> None:
    org = make_org()
    add_domain_commands()
    result = CliRunner().invoke(main, ["users", "create", "--email", "x@example.org", "--name",
                                       "X", "--organization", str(org), "--role", "boss"],
                                env={"LOTSE_NEW_PASSWORD": "ein-langes-passwort"})
    assert result.exit_code == 2 and "boss" in result.output


def test_token_for_an_unknown_user_fails_with_a_message(db: None) -> None:
    add_domain_commands()
    result = CliRunner().invoke(main, ["token", "--user", "niemand@example.org"])
    assert result.exit_code == 1 and "No user" in result.output
