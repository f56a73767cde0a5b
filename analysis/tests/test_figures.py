"""Each figure on the known year of `support.known_year`, counted by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from analysis import catalog
from analysis.shapes import Figure, Table
from analysis.tests.support import Net, at, referral
from conftest import run
from referrals import api as referrals


def _figure(ask: Any, key: str) -> Figure:
    return run(catalog.FIGURES[key](ask))


def _table(figure: Figure, key: str) -> Table:
    return next(t for t in figure.tables if t.key == key)


def _texts(table: Table, row: str) -> dict[str, str]:
    found = next(r for r in [*table.rows, *([table.total] if table.total else [])]
                 if r.key == row)
    return dict(zip(table.column_keys, (c.text for c in found.cells), strict=True))


def test_unmet_demand_counts_declines_expiries_and_waitlists(net: Net, ask: Any) -> None:
    figure = _figure(ask("2026-01", "2026-02"), "demand")
    declined = _texts(_table(figure, "declined_no_place"), "language_course")
    assert declined == {"Altstadt": "5", "Styrum": "0", "total": "5"}
    waitlisted = _table(figure, "waitlisted")
    # One language-course referral waited (too few to show), five counselling ones did.
    assert _texts(waitlisted, "language_course")["Altstadt"] == "< 5"
    assert _texts(waitlisted, "counselling")["Styrum"] == "5"
    # March's three expiries are too few to show, alone or in any total.
    march = _figure(ask("2026-03", "2026-03"), "demand")
    assert _texts(_table(march, "expired"), "language_course")["Altstadt"] == "< 5"


def test_waiting_time_is_the_median_and_90th_percentile_of_the_waits(net: Net,
                                                                     ask: Any) -> None:
    waits = _table(_figure(ask("2026-02", "2026-02"), "demand"), "waits")
    # Counselling waited 2, 4, 6, 8 and 10 days: median the 3rd, 90th percentile the 5th.
    assert _texts(waits, "counselling") == {"count": "5", "median": "6.0 d", "p90": "10.0 d"}


def test_a_wait_count_with_a_small_month_is_hidden_with_its_durations(net: Net,
                                                                       ask: Any) -> None:
    # One more counselling wait in January: six over January and February, one of them in
    # January, so the pair of months could be subtracted from February's five.
    sent = at("2026-01-20")
    referral(net, need="counselling", district="Styrum", sent=sent, service="advice",
             steps=(("waitlisted", sent + timedelta(hours=24), ""),
                    ("accepted", sent + timedelta(days=3), "")))
    run(referrals.rebuild_figures())
    both = _table(_figure(ask("2026-01", "2026-02"), "demand"), "waits")
    assert _texts(both, "counselling") == {"count": "•", "median": "•", "p90": "•"}
    february = _table(_figure(ask("2026-02", "2026-02"), "demand"), "waits")
    assert _texts(february, "counselling")["count"] == "5"
    assert _texts(both, "language_course") == {"count": "< 5", "median": "< 5", "p90": "< 5"}


def test_the_funnel_does_not_give_away_a_reason_hidden_beside_it(net: Net, ask: Any) -> None:
    # January in Altstadt: five language-course declines for lack of a place and one more
    # because the client was not eligible. Six declines and five for lack of a place would
    # give the hidden one away.
    sent = at("2026-01-21")
    referral(net, need="language_course", district="Altstadt", sent=sent,
             steps=(("declined", sent + timedelta(hours=5), "not_eligible"),))
    run(referrals.rebuild_figures())
    for question in (ask("2026-01", "2026-01"), ask("2026-01", "2026-01", district="Altstadt")):
        figure = _figure(question, "outcomes")
        declined = _texts(_table(figure, "funnel"), "language_course")["declined"]
        reasons = _texts(_table(figure, "decline_reasons"), "language_course")
        assert reasons["not_eligible"] == "< 5"
        assert "•" in (declined, reasons["no_capacity"]), (declined, reasons)


def test_answer_times_and_the_share_in_time_per_provider_and_need(net: Net, ask: Any) -> None:
    figure = _figure(ask("2026-01", "2026-02"), "answers")
    by_need = _table(figure, "answers_by_need")
    # Language course: 7 answers after 12 h, 5 after 24 h, 1 after 48 h: median the 7th of 13
    # (12 h), 90th percentile the 12th (24 h); all before the deadline.
    assert _texts(by_need, "language_course") == {
        "sent": "13", "answered": "13", "in_time_share": "100 %", "median": "12.0 h",
        "p90": "24.0 h"}
    by_provider = _table(figure, "answers_by_provider")
    assert [r.label for r in by_provider.rows] == ["Sprachschule Ruhr", "Beratung Styrum"]
    assert _texts(by_provider, str(net.other_provider))["median"] == "24.0 h"


def test_the_funnel_counts_each_step_per_need(net: Net, ask: Any) -> None:
    funnel = _table(_figure(ask("2026-02", "2026-02"), "outcomes"), "funnel")
    assert _texts(funnel, "language_course") == {
        "sent": "7", "accepted": "7", "waitlisted": "0", "declined": "0", "in_progress": "0",
        "completed": "7", "failed": "0", "cancelled": "0"}
    assert _texts(funnel, "counselling")["waitlisted"] == "5"
    assert _texts(funnel, "total")["sent"] == "12"


def test_decline_reasons_are_counted_by_reason(net: Net, ask: Any) -> None:
    reasons = _table(_figure(ask("2026-01", "2026-01"), "outcomes"), "decline_reasons")
    row = _texts(reasons, "language_course")
    assert row["no_capacity"] == "5"
    assert row["not_eligible"] == "0"


def test_languages_of_clients_stand_beside_the_languages_of_offers(net: Net,
                                                                   ask: Any) -> None:
    figure = _figure(ask("2026-02", "2026-02"), "languages")
    languages = _table(figure, "languages")
    # February: 7 Arabic-speaking (language course), 5 Turkish-speaking (counselling).
    assert _texts(languages, "ar") == {"referrals": "7", "offers": "1"}
    assert _texts(languages, "tr") == {"referrals": "5", "offers": "1"}
    assert _texts(languages, "de") == {"referrals": "0", "offers": "2"}
    assert _texts(_table(figure, "interpreting"), "counselling") == {"sent": "5",
                                                                    "interpreter": "5"}


def test_coverage_lists_offers_per_district_and_the_districts_without(net: Net,
                                                                      ask: Any) -> None:
    figure = _figure(ask("2026-02", "2026-02", category="sprache"), "coverage")
    assert _texts(_table(figure, "coverage"), "Altstadt") == {"sprache": "1", "total": "1"}
    assert [r.label for r in _table(figure, "districts_without").rows] == ["Styrum"]


def test_chains_show_what_followed_a_completed_course(net: Net, ask: Any) -> None:
    chains = _table(_figure(ask("2026-02", "2026-02"), "chains"), "chains")
    row = _texts(chains, "language_course")
    # 7 completed: 5 went on to work, 2 stopped (too few to show; so "work" is hidden too).
    assert row["total"] == "7"
    assert row[""] == "< 5"
    assert row["work"] == "•"
    found = run(referrals.chain_counts(datetime(2026, 2, 1, tzinfo=UTC),
                                       datetime(2026, 3, 1, tzinfo=UTC),
                                       referrals.FigureScope()))
    assert {(c.done, c.following): c.count for c in found} == {
        ("language_course", "work"): 5, ("language_course", ""): 2}


def test_the_daily_snapshot_is_taken_once_and_gives_the_capacity_history(net: Net,
                                                                          ask: Any) -> None:
    from directory import api as directory
    from referrals.jobs import tick

    now = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
    first, second = run(tick(now)), run(tick(now))
    assert first.snapshot and not second.snapshot
    rows = run(directory.capacity_history(date(2026, 2, 10), date(2026, 2, 10)))
    assert sorted((r.category, r.free_places) for r in rows) == [("migrationsberatung", 2),
                                                                 ("sprache", 4)]
    figure = _figure(ask("2026-02", "2026-02"), "capacity")
    assert _texts(_table(figure, "free_places_by_month"), "sprache") == {"2026-02": "4"}
    # The offer not confirmed for 400 days counts as stale.
    assert _texts(_table(figure, "capacity_now"), "migrationsberatung")["stale_share"] == "100 %"
