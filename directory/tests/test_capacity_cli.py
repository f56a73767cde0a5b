"""`lotse capacity-links` and `lotse capacity-reminders` on the command line."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from directory.capacity_cli import capacity_links_command, capacity_reminders_command
from directory.signing import read_capacity_token
from directory.tests.conftest import Network
from settings import get_settings


def test_capacity_links_prints_one_link_per_offer(network: Network,
                                                  make_service: Any) -> None:
    first = make_service(network.org_a, name="Sprachcafé")
    make_service(network.org_a, name="Migrationsberatung")
    result = CliRunner().invoke(capacity_links_command, [
        "--organization", str(network.org_a), "--user", network.provider_a.email])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["Migrationsberatung", "Sprachcafé"]
    token = lines[1].split("\t")[1].removeprefix(get_settings().base_url + "/capacity/")
    claim = read_capacity_token(token)
    assert (claim.service_id, claim.user_id) == (first, network.provider_a.id)


def test_capacity_links_explains_what_is_wrong(network: Network) -> None:
    unknown_user = CliRunner().invoke(capacity_links_command, [
        "--organization", str(network.org_a), "--user", "nobody@example.org"])
    assert unknown_user.exit_code != 0 and "No user" in unknown_user.output
    no_offers = CliRunner().invoke(capacity_links_command, ["--organization", str(network.org_b)])
    assert no_offers.exit_code != 0 and "no active offers" in no_offers.output


def test_capacity_reminders_reports_mails_sent(network: Network, make_service: Any) -> None:
    make_service(network.org_b, name="Elterncafé")
    result = CliRunner().invoke(capacity_reminders_command, [])
    assert result.exit_code == 0, result.output
    assert "Sent 1 reminder e-mails." in result.output
