"""HSDS schedule mapping: valid against the official schema, lossless both ways, and plain
consumers that ignore the Lotse extension see the same openings."""

from __future__ import annotations

import json
import uuid
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest

from calendars.compute import openings
from calendars.hsds import EXTENSION, schedule_to_hsds, schedules_from_hsds, schedules_to_hsds
from calendars.rules import (
    Rule,
    RuleError,
    ScheduleExceptionValue,
    parse_byday,
    rule_to_row,
    validate_rule,
)

HSDS_DIR = Path("/work/shared/hsds")
SERVICE = uuid.UUID("22222222-2222-4222-8222-222222222222")


def schedule_validator() -> Any:
    if not (HSDS_DIR / "schedule.json").exists():
        pytest.skip("the official HSDS schemas are not available in /work/shared/hsds")
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT202012))
        for path in HSDS_DIR.glob("*.json")
    ]
    registry: Registry = Registry().with_resources(resources)
    schema = json.loads((HSDS_DIR / "schedule.json").read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def make(days: str | None, opens: str | None, closes: str | None, **kw: Any) -> Rule:
    freq = kw.pop("freq", "WEEKLY")
    return validate_rule(
        Rule(
            freq=freq,
            byday=parse_byday(days, freq) if days else (),
            opens_at=time.fromisoformat(opens) if opens else None,
            closes_at=time.fromisoformat(closes) if closes else None,
            service_id=SERVICE,
            **kw,
        )
    )


def sample_rules() -> list[Rule]:
    return [
        make("MO,TU,WE,TH,FR", "09:00", "12:00", description="Offene Sprechstunde"),
        make("MO,TH", "14:00", "16:00", appointment_only=True, notes="Bitte anrufen"),
        make("TU", "17:00", "19:00", interval=2, dtstart=date(2027, 1, 5)),
        make("1SA", "10:00", "13:00", freq="MONTHLY", valid_from=date(2027, 1, 1)),
        make(None, "09:00", "10:00", freq="MONTHLY", bymonthday=(15, -1)),
        make(
            "MO,WE",
            "18:00",
            "20:15",
            kind="course",
            dtstart=date(2027, 1, 11),
            until=date(2027, 4, 28),
        ),
        make("SA", "09:00", "11:00", kind="course", dtstart=date(2027, 1, 9), count=12),
        make("SU", None, None, open_on_holidays=True, valid_to=date(2027, 12, 31)),
        make("SU", "18:00", None),
        make(None, "10:00", "15:00", kind="single", freq=None, dtstart=date(2027, 5, 22)),
        make(None, "10:00", "15:00", kind="course", freq=None, dtstart=date(2027, 6, 2)),
    ]


def comparable(value: Rule | ScheduleExceptionValue) -> tuple[Any, ...]:
    if isinstance(value, Rule):
        return (value.id, value.service_id, tuple(sorted(rule_to_row(value).items())))
    return (
        value.id,
        value.kind,
        value.starts_on,
        value.ends_on,
        value.opens_at,
        value.closes_at,
        value.schedule_id,
        value.description,
    )


def test_every_exported_schedule_is_valid_hsds():
    validator = schedule_validator()
    rules = sample_rules()
    exceptions = sample_exceptions(rules)
    items = schedules_to_hsds(rules, exceptions)
    assert len(items) > len(rules)
    for item in items:
        errors = [error.message for error in validator.iter_errors(item)]
        assert errors == [], (item, errors)


def test_hsds_field_mapping_of_a_fortnightly_rule():
    rule = sample_rules()[2]
    item = schedule_to_hsds(rule)
    assert item["id"] == str(rule.id)
    assert item["service_id"] == str(SERVICE)
    assert item["freq"] == "WEEKLY"
    assert item["interval"] == 2
    assert item["byday"] == "TU"
    assert item["dtstart"] == "2027-01-05"
    assert (item["opens_at"], item["closes_at"]) == ("17:00", "19:00")
    monthly = schedule_to_hsds(sample_rules()[3])
    assert monthly["freq"] == "MONTHLY" and monthly["byday"] == "1SA"
    whole_day = schedule_to_hsds(sample_rules()[7])
    assert (whole_day["opens_at"], whole_day["closes_at"]) == ("00:00", "23:59")


def test_rules_round_trip_without_loss():
    rules = sample_rules()
    back = schedules_from_hsds(schedules_to_hsds(rules))
    assert sorted(map(comparable, back), key=str) == sorted(map(comparable, rules), key=str)


def sample_exceptions(rules: list[Rule]) -> list[ScheduleExceptionValue]:
    return [
        ScheduleExceptionValue(
            kind="closed",
            starts_on=date(2027, 7, 19),
            ends_on=date(2027, 8, 6),
            description="Sommerpause",
            service_id=SERVICE,
        ),
        ScheduleExceptionValue(
            kind="closed",
            starts_on=date(2027, 3, 3),
            ends_on=date(2027, 3, 3),
            schedule_id=rules[5].id,
            service_id=SERVICE,
        ),
        ScheduleExceptionValue(
            kind="extra",
            starts_on=date(2027, 12, 18),
            ends_on=date(2027, 12, 19),
            opens_at=time(10),
            closes_at=time(16),
            description="Adventsmarkt",
            service_id=SERVICE,
        ),
    ]


def test_exceptions_round_trip_through_the_extension():
    rules = sample_rules()
    exceptions = sample_exceptions(rules)
    back = schedules_from_hsds(schedules_to_hsds(rules, exceptions))
    values: list[Rule | ScheduleExceptionValue] = [*rules, *exceptions]
    expected = sorted(map(comparable, values), key=str)
    assert sorted(map(comparable, back), key=str) == expected


def test_closures_become_split_rows_that_plain_consumers_read_right():
    rules = sample_rules()
    exceptions = sample_exceptions(rules)
    items = schedules_to_hsds(rules, exceptions)
    weekdays = [i for i in items if i.get("description") == "Offene Sprechstunde"]
    assert [(i.get("valid_from"), i.get("valid_to")) for i in weekdays] == [
        (None, "2027-07-18"),
        ("2027-08-07", None),
    ]
    # A consumer that knows nothing of the extension reads rows only.
    plain = [{k: v for k, v in item.items() if k != EXTENSION} for item in items]
    plain_values = schedules_from_hsds(plain)
    plain_rules = [v for v in plain_values if isinstance(v, Rule)]
    plain_rules = [
        r.with_changes(open_on_holidays=o.open_on_holidays)
        for r, o in zip(plain_rules, _originals_for(plain_rules, rules, items), strict=True)
    ]
    first, last = date(2027, 1, 1), date(2027, 12, 31)
    expected = {(o.start, o.end) for o in openings(rules, exceptions, first, last)}
    extras = [v for v in plain_values if isinstance(v, ScheduleExceptionValue)]
    got = {(o.start, o.end) for o in openings(plain_rules, extras, first, last)}
    assert got == expected


def _originals_for(plain_rules: list[Rule], rules: list[Rule], items: list[dict]) -> list[Rule]:
    """The Lotse rule each plain row came from (holiday behaviour is a Lotse-only fact)."""
    by_id = {str(rule.id): rule for rule in rules}
    origin = {
        item["id"]: by_id.get(item[EXTENSION].get("derived_from") or item["id"]) for item in items
    }
    found = []
    for rule in plain_rules:
        original = origin.get(str(rule.id))
        found.append(original or rule)
    return found


def test_times_with_an_offset_are_read_as_berlin_wall_time():
    (summer,) = schedules_from_hsds(
        [
            {
                "id": str(uuid.uuid4()),
                "freq": "WEEKLY",
                "byday": "MO",
                "dtstart": "2027-07-05",
                "opens_at": "07:00Z",
                "closes_at": "15:00:00+00:00",
            }
        ]
    )
    assert isinstance(summer, Rule)
    assert (summer.opens_at, summer.closes_at) == (time(9), time(17))
    (winter,) = schedules_from_hsds(
        [
            {
                "id": str(uuid.uuid4()),
                "freq": "WEEKLY",
                "byday": "MO",
                "dtstart": "2027-01-04",
                "timezone": 0,
                "opens_at": "08:00",
                "closes_at": "16:00",
            }
        ]
    )
    assert isinstance(winter, Rule)
    assert (winter.opens_at, winter.closes_at) == (time(9), time(17))


def test_official_example_is_refused_with_a_clear_reason():
    path = HSDS_DIR / "examples" / "service_full.json"
    if not path.exists():
        pytest.skip("the official HSDS examples are not available")
    schedules = json.loads(path.read_text())["schedules"]
    with pytest.raises(RuleError, match="byweekno is not supported"):
        schedules_from_hsds(schedules)
    trimmed = [
        {k: v for k, v in item.items() if k not in ("byweekno", "byyearday", "bymonthday", "until")}
        for item in schedules
    ]
    (rule,) = schedules_from_hsds(trimmed)
    assert isinstance(rule, Rule)
    assert [ref.to_ical() for ref in rule.byday] == ["TH", "FR"]
    assert rule.count == 3


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            {"id": "0000000a-0000-4000-8000-000000000000", "freq": "WEEKLY", "byday": "XX"},
            "Unknown weekday",
        ),
        (
            {
                "id": "0000000b-0000-4000-8000-000000000000",
                "freq": "WEEKLY",
                "byday": "MO",
                "opens_at": "nine",
            },
            "not a time",
        ),
        (
            {
                "id": "0000000c-0000-4000-8000-000000000000",
                "freq": "WEEKLY",
                "byday": "MO",
                "dtstart": "soon",
            },
            "not a date",
        ),
        (
            {"id": "0000000d-0000-4000-8000-000000000000", "freq": "YEARLY", "byday": "MO"},
            "frequency",
        ),
        (
            {
                "id": "0000000e-0000-4000-8000-000000000000",
                "freq": "WEEKLY",
                "interval": 2,
                "byday": "MO",
            },
            "first date",
        ),
    ],
)
def test_invalid_hsds_schedules_name_the_schedule_and_the_problem(item, message):
    with pytest.raises(RuleError, match=message):
        schedules_from_hsds([item])
