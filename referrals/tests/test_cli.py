"""`lotse referrals tick`: the periodic deadline check from the command line."""

from __future__ import annotations

from click.testing import CliRunner

from referrals.cli import referrals


def test_tick_reports_what_it_did(db):
    result = CliRunner().invoke(referrals, ["tick"])
    assert result.exit_code == 0, result.output
    assert "Reminded 0, expired 0" in result.output
