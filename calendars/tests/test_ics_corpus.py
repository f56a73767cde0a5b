"""Every file of the corpus (calendars as programs, RFC 5545/7265/7529 examples and broken
exports write them) is imported: accepted with a report of every change, or refused with a
message that names the problem, in German in the German interface; never a server error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from calendars.compute import BERLIN, openings
from calendars.ics_import import IcsImportError, ImportLimits, ImportResult, import_calendar

CORPUS = Path(__file__).parent / "ics_corpus"
TODAY = date(2026, 12, 1)
LIMITS = ImportLimits()


def starts(result: ImportResult, day: date) -> list[datetime]:
    return [o.local_start for o in openings(result.rules, result.exceptions, day, day)]


def notes(result: ImportResult) -> str:
    return " | ".join(notice.text() for notice in result.warnings)


def chicago(result: ImportResult) -> None:
    assert "America/Chicago" in notes(result)
    # The US moves to summer time on 14 March 2027, Berlin on 28 March: 9:00 in Chicago is
    # 15:00 in Berlin in between, 16:00 before and after.
    assert starts(result, date(2027, 3, 8)) == [datetime(2027, 3, 8, 16, tzinfo=BERLIN)]
    assert starts(result, date(2027, 3, 15)) == [datetime(2027, 3, 15, 15, tzinfo=BERLIN)]
    assert starts(result, date(2027, 4, 5)) == [datetime(2027, 4, 5, 16, tzinfo=BERLIN)]


def london(result: ImportResult) -> None:
    (rule,) = result.rules
    assert rule.freq == "WEEKLY" and (rule.opens_at, rule.closes_at) == (time(10), time(11))
    assert starts(result, date(2027, 7, 5)) == [datetime(2027, 7, 5, 10, tzinfo=BERLIN)]


def holidays_calendar(result: ImportResult) -> None:
    days = sorted(
        rule.dtstart for rule in result.rules if rule.description == "Weihnachten" and rule.dtstart
    )
    assert days == [date(2027, 12, 25), date(2027, 12, 26)]


def weekly_at(hour: int) -> Callable[[ImportResult], None]:
    def check(result: ImportResult) -> None:
        (rule,) = result.rules
        assert rule.freq == "WEEKLY" and rule.opens_at == time(hour)

    return check


def three_days(result: ImportResult) -> None:
    days = [rule.dtstart for rule in result.rules]
    assert days == [date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 3)]


def block_seminar(result: ImportResult) -> None:
    days = sorted(rule.dtstart for rule in result.rules if rule.dtstart is not None)
    assert len(days) == 12 and days[:3] == [date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6)]


def rfc7265_moved(result: ImportResult) -> None:
    assert "US/Eastern" in notes(result)
    assert starts(result, date(2027, 1, 6)) == [datetime(2027, 1, 6, 20, tzinfo=BERLIN)]
    assert len(result.rules) == 5


def rfc7265_periods(result: ImportResult) -> None:
    (opening,) = openings(result.rules, result.exceptions, date(2027, 3, 10), date(2027, 3, 10))
    assert (opening.local_start.time(), opening.local_end.time()) == (time(15), time(17))
    assert len(result.rules) == 4


def fixed_offset(result: ImportResult) -> None:
    assert "Fixed UTC+1" in notes(result)
    assert starts(result, date(2027, 1, 4)) == [datetime(2027, 1, 4, 9, tzinfo=BERLIN)]
    assert starts(result, date(2027, 7, 5)) == [datetime(2027, 7, 5, 10, tzinfo=BERLIN)]


def zero_length(result: ImportResult) -> None:
    assert "has no duration" in notes(result)
    assert {(rule.opens_at, rule.closes_at) for rule in result.rules} == {(time(18), None)}


def two_calendars(result: ImportResult) -> None:
    assert "2 calendars" in notes(result)
    assert {rule.description for rule in result.rules} == {
        "Dienstagssprechstunde",
        "Donnerstagssprechstunde",
    }


def has_note(fragment: str) -> Callable[[ImportResult], None]:
    def check(result: ImportResult) -> None:
        assert fragment in notes(result)

    return check


def accepted(result: ImportResult) -> None:
    assert result.rules


# file: (what an accepted import must show) or the refusal's English and German fragments.
ACCEPTED: dict[str, Callable[[ImportResult], None]] = {
    "all-day-duration.ics": three_days,
    "america-chicago.ics": chicago,
    "date-value-with-time.ics": accepted,
    "end-before-start.ics": has_note("ends before it starts"),
    "europe-london.ics": london,
    "holidays-x-wr-timezone.ics": holidays_calendar,
    "long-description.ics": has_note("description of “Infoveranstaltung” was shortened to 1000"),
    "mozilla-tzid.ics": weekly_at(14),
    "multi-day-all-day-weekly.ics": block_seminar,
    "rfc7265-example-1.ics": accepted,
    "rfc7265-example-2.ics": rfc7265_moved,
    "rfc7265-properties.ics": rfc7265_periods,
    "two-vcalendars.ics": two_calendars,
    "vtimezone-after-event.ics": weekly_at(9),
    "vtimezone-fixed-offset.ics": fixed_offset,
    "zero-length.ics": zero_length,
}
REFUSED: dict[str, tuple[str, str]] = {
    "broken-dtstart.ics": ("DTSTART cannot be read: 2027010ST090000", "DTSTART kann nicht"),
    "duplicate-dtstart.ics": ("has DTSTART 2 times", "hat DTSTART 2-mal"),
    "moved-without-start.ics": ("(RECURRENCE-ID) but has no DTSTART", "hat aber kein DTSTART"),
    "invalid-duration.ics": ("DURATION cannot be read: P1X", "DURATION kann nicht"),
    "no-vevent.ics": ("contains no events", "enthält keine Termine"),
    "rscale-chinese.ics": ("calendar system CHINESE", "Kalendersystem CHINESE"),
    "rscale-gregorian-skip.ics": ("RSCALE", "RSCALE"),
    "start-9999.ics": ("starts on 9999-12-31", "beginnt am 9999-12-31"),
    "start-year-1.ics": ("dates before 1900", "Daten vor 1900"),
    "two-rrules.ics": ("2 repetition rules (RRULE)", "2 Wiederholungsregeln"),
    "unterminated.ics": ("no complete calendar", "keinen vollständigen Kalender"),
    "until-without-value.ics": ("RRULE cannot be read", "RRULE kann nicht"),
    "vtimezone-without-rules.ics": ("not a valid iCalendar file", "keine gültige iCalendar"),
}


def test_every_corpus_file_has_an_expected_outcome() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.ics")) == sorted({**ACCEPTED, **REFUSED})


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_corpus_file_is_accepted_and_reports_its_changes(name: str) -> None:
    ACCEPTED[name](import_calendar((CORPUS / name).read_bytes(), TODAY, limits=LIMITS))


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_corpus_file_is_refused_naming_the_problem(name: str) -> None:
    from core.i18n import translations

    english, german = REFUSED[name]
    with pytest.raises(IcsImportError) as refused:
        import_calendar((CORPUS / name).read_bytes(), TODAY, limits=LIMITS)
    assert english in str(refused.value)
    assert german in refused.value.translated(translations("de").gettext)


def test_every_corpus_file_over_http_is_accepted_or_a_4xx_in_german(
    offer: Any, make_user: Any, api_client: Any
) -> None:
    staff = api_client(make_user("provider_staff", offer.organization_id))
    url = f"/api/calendars/services/{offer.service_id}/import"
    headers = {"Content-Type": "text/calendar", "Accept-Language": "de"}
    for path in sorted(CORPUS.glob("*.ics")):
        response = staff.post(url, content=path.read_bytes(), headers=headers)
        if path.name in ACCEPTED:
            assert response.status_code == 200, (path.name, response.text)
        else:
            assert response.status_code == 400, (path.name, response.text)
            assert REFUSED[path.name][1] in response.json()["detail"], path.name


def test_the_report_names_holiday_closings_in_german(
    offer: Any, make_user: Any, api_client: Any
) -> None:
    staff = api_client(make_user("provider_staff", offer.organization_id))
    response = staff.post(
        f"/api/calendars/services/{offer.service_id}/import",
        content=(CORPUS / "europe-london.ics").read_bytes(),
        headers={"Content-Type": "text/calendar", "Accept-Language": "de"},
    )
    assert response.status_code == 200
    (note,) = response.json()["warnings"]
    assert "an Feiertagen in NRW geschlossen" in note and "29.03.2027" in note


def test_the_import_form_shows_its_notes_in_german(
    client: Any, offer: Any, make_user: Any, login: Any
) -> None:
    login(client, make_user("provider_staff", offer.organization_id))
    response = client.post(
        f"/calendars/services/{offer.service_id}/schedule/import",
        files={"file": ("k.ics", (CORPUS / "zero-length.ics").read_bytes(), "text/calendar")},
        data={"kind": "hours"},
        follow_redirects=False,
    )
    assert response.status_code == 200
    notes = response.text.split('id="import-notes"')[1].split("</div>")[0]
    assert "„Kursbeginn“ hat keine Dauer" in notes and "18:00" in notes
