"""From the directory tables through the outbox into the index."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from core.db import atomic
from directory.tables import Location, Organization, Service
from outbox.dispatcher import drain
from outbox.tables import OutboxEvent
from search import indexing
from search.documents import build_documents
from search.embedded import EmbeddedEngine
from search.engine import GeoPoint, SearchQuery
from search.indexing import rebuild_all
from search.tests import directory_rows as rows

STYRUM = (51.4530, 6.8600)
HEISSEN = (51.4250, 6.9200)


async def names(engine: EmbeddedEngine, text: str = "", **options: Any) -> list[str]:
    result = engine.search(SearchQuery(text=text, per_page=100, **options))
    return [hit.document.name for hit in result.hits]


async def test_document_gathers_everything_search_needs(db: None) -> None:
    terms = await rows.taxonomy()
    org = await rows.organization("Caritasverband")
    styrum = await rows.location(
        org,
        "Styrum",
        *STYRUM,
        wheelchair_accessible=True,
        accessibility_description="Rampe am Eingang",
    )
    heissen = await rows.location(org, "Heißen", *HEISSEN)
    service_id = await rows.service(
        org,
        "Migrationsberatung",
        description="Beratung für Zugewanderte",
        locations=[styrum, heissen],
        terms=[terms["beratung.migration"], terms["zielgruppe.frauen"]],
        languages=["de", "ar"],
        available=2,
        waitlist_open=True,
        minimum_age=18,
        free_of_charge=False,
        fees_description="Eigenanteil",
    )
    await rows.translation(service_id, "uk", "Міграційна консультація")
    await rows.cost(service_id, "5.00", "Beitrag")
    document = (await build_documents([service_id]))[service_id]
    assert document.name == "Migrationsberatung"
    assert document.organization_name == "Caritasverband"
    assert document.categories == ["beratung.migration", "beratung"]
    assert set(document.category_names) >= {"Migrationsberatung", "Beratung", "Counselling"}
    assert document.target_groups == ["zielgruppe.frauen"]
    assert document.languages == ["de", "ar"]
    assert document.districts == ["Heißen", "Styrum"]
    assert sorted(document.coordinates()) == sorted([STYRUM, HEISSEN])
    assert document.barrier_free and "Rampe" in document.accessibility
    assert (document.free_places, document.maximum_places, document.waitlist_open) == (2, 10, True)
    assert document.capacity_confirmed == date(2026, 1, 10)
    assert document.minimum_age == 18 and not document.free_of_charge
    assert "Eigenanteil" in document.cost_description and "5.00 EUR" in document.cost_description
    assert document.translations[0].name == "Міграційна консультація"


async def test_retired_hidden_and_closed_offers_stay_out(db: None) -> None:
    org = await rows.organization()
    active = await rows.service(org, "Aktiv")
    retired = await rows.service(org, "Eingestellt", retired_at=datetime.now(UTC))
    defunct = await rows.service(org, "Aufgelöst", status="defunct")
    other_org = await rows.organization("Aufgelöster Verein")
    orphan = await rows.service(other_org, "Verwaist")
    await Organization.update({Organization.retired_at: datetime.now(UTC)}).where(
        Organization.id == other_org
    )
    built = await build_documents([active, retired, defunct, orphan])
    assert list(built) == [active]


async def test_retired_location_is_not_part_of_the_offer(db: None) -> None:
    org = await rows.organization()
    gone = await rows.location(org, "Styrum", *STYRUM, retired_at=datetime.now(UTC))
    kept = await rows.location(org, "Heißen", *HEISSEN)
    service_id = await rows.service(org, "Sprachcafé", locations=[gone, kept])
    document = (await build_documents([service_id]))[service_id]
    assert document.districts == ["Heißen"]


async def test_outbox_events_bring_changes_into_search(
    db: None, search_engine: EmbeddedEngine
) -> None:
    org = await rows.organization()
    place = await rows.location(org, "Styrum", *STYRUM)
    service_id = await rows.service(org, "Schuldnerberatung", locations=[place], available=0)
    await rows.changed("directory.service_changed", service_id=service_id)
    assert await names(search_engine, "schuldner") == []  # not before delivery
    await drain()
    assert await names(search_engine, "schuldner") == ["Schuldnerberatung"]
    assert await names(search_engine, has_place_or_waitlist=True) == []

    await rows.set_places(service_id, 3)
    await drain()
    hit = search_engine.search(SearchQuery(text="schuldner")).hits[0]
    assert hit.document.free_places == 3

    await Organization.update({Organization.name: "Diakonie"}).where(Organization.id == org)
    await rows.changed("directory.organization_changed", organization_id=org)
    await drain()
    assert await names(search_engine, "Diakonie") == ["Schuldnerberatung"]

    await Location.update({Location.latitude: HEISSEN[0], Location.longitude: HEISSEN[1]}).where(
        Location.id == place
    )
    await rows.changed("directory.location_changed", location_id=place)
    await drain()
    assert await names(search_engine, near=GeoPoint(*HEISSEN), radius_km=0.5) == [
        "Schuldnerberatung"
    ]

    await Service.update({Service.retired_at: datetime.now(UTC)}).where(Service.id == service_id)
    await rows.changed("directory.service_retired", service_id=service_id)
    await drain()
    assert await names(search_engine) == []


async def test_an_imports_bulk_announcement_brings_every_named_offer_into_search(
    db: None, search_engine: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from directory import api as directory
    from directory import record_writes

    # Two offers per event: three offers and a place make three events, not four.
    monkeypatch.setattr(record_writes, "ANNOUNCED_PER_EVENT", 2)
    org = await rows.organization()
    place = await rows.location(org, "Styrum", *STYRUM)
    offers = [await rows.service(org, name) for name in ("Sprachcafé", "Elterncafé", "Nähcafé")]
    async with atomic():
        await directory.announce_imported_changes(offers, [place], [])
    assert await OutboxEvent.count().where(OutboxEvent.consumer == "search-indexer") == 3
    await drain()
    assert sorted(await names(search_engine)) == ["Elterncafé", "Nähcafé", "Sprachcafé"]
    assert await OutboxEvent.count().where(OutboxEvent.delivered_at.is_null()) == 0


async def test_malformed_event_does_not_hold_up_the_others(
    db: None, search_engine: EmbeddedEngine
) -> None:
    org = await rows.organization()
    service_id = await rows.service(org, "Nähwerkstatt")
    await rows.changed("directory.service_changed")  # no id at all
    await rows.changed("directory.service_changed", service_id=service_id)
    await drain()
    assert await names(search_engine, "Nähwerkstatt") == ["Nähwerkstatt"]
    failed = await OutboxEvent.count().where(OutboxEvent.delivered_at.is_null())
    assert failed == 0


async def test_new_index_is_filled_completely_by_the_first_event(
    db: None, search_engine: EmbeddedEngine
) -> None:
    org = await rows.organization()
    await rows.service(org, "Sprachcafé")
    await rows.service(org, "Elterncafé")
    other = await rows.service(org, "Fahrradwerkstatt")
    search_engine.needs_rebuild = True
    await rows.changed("directory.service_changed", service_id=other)
    await drain()
    assert sorted(await names(search_engine)) == ["Elterncafé", "Fahrradwerkstatt", "Sprachcafé"]
    assert not search_engine.needs_rebuild


async def test_rebuild_reports_progress_and_replaces_old_content(
    db: None, search_engine: EmbeddedEngine
) -> None:
    org = await rows.organization()
    for n in range(7):
        await rows.service(org, f"Kurs {n}")
    await rows.service(org, "Alt", status="inactive")
    seen: list[int] = []
    assert await rebuild_all(search_engine, seen.append) == 7
    assert sum(seen) == 8  # every offer was looked at, the inactive one too
    assert len(await names(search_engine)) == 7


async def test_failed_rebuild_keeps_the_old_index(
    db: None, search_engine: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = await rows.organization()
    for n in range(5):
        await rows.service(org, f"Kurs {n}")
    await rebuild_all(search_engine)

    async def broken(batch: int = 2) -> Any:
        yield 2, []
        raise ConnectionError("database went away")

    monkeypatch.setattr(indexing, "all_documents", broken)
    with pytest.raises(ConnectionError):
        await rebuild_all(search_engine)
    assert len(await names(search_engine)) == 5


async def test_schedules_come_from_the_calendars_domain(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from calendars import api as calendars_api

    org = await rows.organization()
    service_id = await rows.service(org, "Sprachcafé")

    async def open_intervals_for_services(ids: list[Any]) -> dict[Any, list[tuple[int, int]]]:
        return {i: [(600, 720)] for i in ids}

    def next_course_starts(ids: list[Any]) -> dict[Any, date | None]:
        return {i: date(2026, 3, 2) for i in ids}

    monkeypatch.setattr(calendars_api, "open_intervals_for_services", open_intervals_for_services)
    monkeypatch.setattr(calendars_api, "next_course_starts", next_course_starts)
    document = (await build_documents([service_id]))[service_id]
    assert document.open_intervals == [(600, 720)]
    assert document.next_start == date(2026, 3, 2)


async def test_index_is_rebuilt_when_missing_and_once_a_day(
    db: None, search_engine: EmbeddedEngine
) -> None:
    from search.lifecycle import refresh_if_due

    org = await rows.organization()
    await rows.service(org, "Elterncafé")
    search_engine.needs_rebuild = True
    assert await refresh_if_due(search_engine, date(2026, 3, 2))
    assert await names(search_engine) == ["Elterncafé"]
    assert not search_engine.needs_rebuild
    await rows.service(org, "Sprachcafé")  # no event: only a rebuild brings it in
    assert not await refresh_if_due(search_engine, date(2026, 3, 2))
    assert await names(search_engine) == ["Elterncafé"]
    assert await refresh_if_due(search_engine, date(2026, 3, 3))
    assert sorted(await names(search_engine)) == ["Elterncafé", "Sprachcafé"]


async def test_only_the_process_holding_the_duty_keeps_the_index_current(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from search import lifecycle, runtime

    monkeypatch.setattr(lifecycle, "CHECK_SECONDS", 3600.0)
    previous = runtime.use_engine(None)
    try:
        await lifecycle.open_search(None)  # type: ignore[arg-type]
        opened = runtime.get_engine()
        assert isinstance(opened, EmbeddedEngine)

        def state() -> tuple[bool, int]:
            return opened.writable, len(lifecycle._tasks)

        assert state() == (False, 0)
        await lifecycle.start_writing()
        assert state() == (True, 1)
        await lifecycle.stop_writing()
        assert state() == (False, 0)
        await lifecycle.close_search(None)  # type: ignore[arg-type]
    finally:
        runtime.use_engine(previous)
