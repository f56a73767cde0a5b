"""The read-only HSDS 3.1 API under /hsds/.

Open to everyone when the directory (LOTSE_PUBLIC_DIRECTORY) or the HSDS API
(LOTSE_HSDS_PUBLIC) is public; otherwise it needs a log-in or an API token. Lists are pages
as the HSDS API reference defines them; ``format=ndjson`` streams every match instead.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import Controller, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream
from piccolo.table import Table

from directory.tables import Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from hsds import extensions as ext
from hsds import filters as hsds_filters
from hsds.filters import Condition, Filters, parse_filters
from hsds.mapping import Doc, Row, iso_datetime, taxonomy_doc, term_doc
from hsds.queries import (
    TaxonomyCache,
    organization_docs,
    rows_where_in,
    service_at_location_docs,
    service_docs,
)
from settings import get_settings

MAX_PER_PAGE = 500
STREAM_BATCH = 200
NDJSON = "application/x-ndjson"

Build = Callable[[list[Row]], Awaitable[list[Doc]]]
Text = FromQuery[str | None]
Flag = FromQuery[bool]
Number = FromQuery[int]
Format = Annotated[
    str | None, QueryParameter(name="format", description="json (default) or ndjson")
]


def hsds_reader(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    """Public when the settings say so; otherwise any logged-in user or API token."""
    settings = get_settings()
    if settings.public_directory or settings.hsds_public:
        return
    if connection.scope.get("user") is None:
        raise NotAuthorizedException(
            "The HSDS API needs a log-in or an API token (header Authorization: Bearer <token>)."
        )


def _format(value: str | None) -> bool:
    """True for ndjson, False for json; anything else is refused."""
    chosen = (value or "json").strip().lower()
    if chosen not in {"json", "ndjson"}:
        raise ValidationException(f"format must be json or ndjson, got {value!r}")
    return chosen == "ndjson"


def _paging(page: int, per_page: int) -> None:
    if page < 1:
        raise ValidationException("page must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationException(f"per_page must be between 1 and {MAX_PER_PAGE}")


async def _page(
    table: type[Table], condition: Condition | None, page: int, per_page: int, build: Build
) -> dict[str, Any]:
    """One page in the HSDS page format, ordered by name (by id where there is none)."""
    _paging(page, per_page)
    key = table._meta.primary_key
    order = [column for column in table._meta.columns if column._meta.name == "name"] + [key]
    count = table.count()
    query = table.select().order_by(*order).offset((page - 1) * per_page).limit(per_page)
    if condition is not None:
        count = count.where(condition)
        query = query.where(condition)
    total = int(await count)
    contents = await build(await query)
    total_pages = math.ceil(total / per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


class NdjsonStream(Stream):
    """A stream whose content type wins over the handler's JSON default."""

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["media_type"] = NDJSON
        return super().to_asgi_response(*args, **kwargs)


def _stream(table: type[Table], condition: Condition | None, build: Build) -> Stream:
    """Every match, one record per line, read in batches by id."""
    encoder = msgspec.json.Encoder()
    key = table._meta.primary_key

    async def lines() -> AsyncIterator[bytes]:
        last: uuid.UUID | None = None
        while True:
            query = table.select().order_by(key).limit(STREAM_BATCH)
            where = condition
            if last is not None:
                where = (key > last) if where is None else where & (key > last)
            if where is not None:
                query = query.where(where)
            rows = await query
            if not rows:
                return
            for doc in await build(rows):
                yield encoder.encode(doc) + b"\n"
            last = rows[-1]["id"]

    return NdjsonStream(lines(), media_type=NDJSON)


async def _one(table: type[Table], record_id: str, what: str, live: bool = True) -> Row:
    try:
        key = uuid.UUID(record_id)
    except ValueError:
        raise NotFoundException(f"No {what} with the id {record_id!r}") from None
    query = table.select().where(table._meta.primary_key == key)
    if live:
        query = query.where(table.retired_at.is_null())  # type: ignore[attr-defined]
    row = await query.first()
    if row is None:
        raise NotFoundException(f"No {what} with the id {record_id}")
    return row


def _minimal(rows: list[Row]) -> list[Doc]:
    """Just enough to see what changed (name and status keep the items valid HSDS)."""
    return [
        {
            "id": str(row["id"]),
            "name": row["name"],
            "status": row["status"],
            "last_modified": iso_datetime(row.get("last_modified")),
        }
        for row in rows
    ]


OPT = {"public": True}


class HsdsController(Controller):
    path = "/hsds"
    tags = ["hsds"]
    guards = [hsds_reader]

    @get("/", operation_id="getAPIMetaInformation", opt=OPT)
    async def root(self) -> dict[str, Any]:
        base = get_settings().base_url
        return {
            "version": ext.HSDS_VERSION,
            "profile": f"{base}/hsds/profile",
            "openapi_url": f"{base}/schema/openapi.json",
        }

    @get("/services", operation_id="getPaginatedListOfServices", opt=OPT)
    async def services(
        self,
        search: Text = None,
        page: Number = 1,
        per_page: Number = 50,
        output: Format = None,
        taxonomy_term_id: Text = None,
        taxonomy_id: Text = None,
        organization_id: Text = None,
        modified_after: Text = None,
        postcode: Text = None,
        proximity: Text = None,
        minimal: Flag = False,
        full: Flag = False,
    ) -> Any:
        ndjson = _format(output)
        filters = parse_filters(
            search=search,
            taxonomy_term_id=taxonomy_term_id,
            taxonomy_id=taxonomy_id,
            organization_id=organization_id,
            modified_after=modified_after,
            postcode=postcode,
            proximity=proximity,
        )
        condition = await hsds_filters.service_condition(filters)

        async def build(rows: list[Row]) -> list[Doc]:
            if minimal:
                return _minimal(rows)
            return await service_docs(rows, full=full)

        if ndjson:
            return _stream(Service, condition, build)
        return await _page(Service, condition, page, per_page, build)

    @get("/services/{service_id:str}", operation_id="getFullyNestedServiceById", opt=OPT)
    async def service(self, service_id: FromPath[str]) -> Doc:
        row = await _one(Service, service_id, "service")
        return (await service_docs([row]))[0]

    @get("/organizations", operation_id="getPaginatedListOfOrganizations", opt=OPT)
    async def organizations(
        self,
        search: Text = None,
        page: Number = 1,
        per_page: Number = 50,
        output: Format = None,
        taxonomy_term_id: Text = None,
        taxonomy_id: Text = None,
        full: Flag = False,
    ) -> Any:
        ndjson = _format(output)
        filters = parse_filters(
            search=search, taxonomy_term_id=taxonomy_term_id, taxonomy_id=taxonomy_id
        )
        condition = await hsds_filters.organization_condition(filters)

        async def build(rows: list[Row]) -> list[Doc]:
            return await organization_docs(rows, full=full)

        if ndjson:
            return _stream(Organization, condition, build)
        return await _page(Organization, condition, page, per_page, build)

    @get("/organizations/{organization_id:str}", operation_id="getOrganizationById", opt=OPT)
    async def organization(self, organization_id: FromPath[str], full_service: Flag = False) -> Doc:
        row = await _one(Organization, organization_id, "organization")
        doc = (await organization_docs([row]))[0]
        offers = (
            await Service.select()
            .where((Service.organization == row["id"]) & Service.retired_at.is_null())
            .order_by(Service.name)
        )
        doc["services"] = await service_docs(offers, full=full_service)
        return doc

    @get("/service_at_locations", operation_id="getPaginatedListOfServiceAtLocation", opt=OPT)
    async def service_at_locations(
        self,
        search: Text = None,
        page: Number = 1,
        per_page: Number = 50,
        output: Format = None,
        taxonomy_term_id: Text = None,
        taxonomy_id: Text = None,
        organization_id: Text = None,
        modified_after: Text = None,
        postcode: Text = None,
        proximity: Text = None,
        full: Flag = False,
    ) -> Any:
        ndjson = _format(output)
        filters = parse_filters(
            search=search,
            taxonomy_term_id=taxonomy_term_id,
            taxonomy_id=taxonomy_id,
            organization_id=organization_id,
            modified_after=modified_after,
            postcode=postcode,
            proximity=proximity,
        )
        condition = await hsds_filters.service_at_location_condition(filters)

        async def build(rows: list[Row]) -> list[Doc]:
            return await service_at_location_docs(rows, full=True)

        if ndjson:
            return _stream(ServiceAtLocation, condition, build)
        return await _page(ServiceAtLocation, condition, page, per_page, build)

    @get(
        "/service_at_locations/{sal_id:str}",
        operation_id="getServiceAtLocationWithNestedDataById",
        opt=OPT,
    )
    async def service_at_location(self, sal_id: FromPath[str]) -> Doc:
        row = await _one(ServiceAtLocation, sal_id, "service at location", live=False)
        condition = await hsds_filters.service_at_location_condition(Filters())
        if not await ServiceAtLocation.exists().where(
            (ServiceAtLocation.id == row["id"]) & condition
        ):
            raise NotFoundException(f"No service at location with the id {sal_id}")
        return (await service_at_location_docs([row]))[0]

    @get("/taxonomies", operation_id="getPaginatedListOfTaxonomies", opt=OPT)
    async def taxonomies(
        self,
        search: Text = None,
        page: Number = 1,
        per_page: Number = 50,
        output: Format = None,
    ) -> Any:
        ndjson = _format(output)
        condition = hsds_filters.taxonomy_condition(parse_filters(search=search))

        async def build(rows: list[Row]) -> list[Doc]:
            return [taxonomy_doc(row) for row in rows]

        if ndjson:
            return _stream(Taxonomy, condition, build)
        return await _page(Taxonomy, condition, page, per_page, build)

    @get("/taxonomies/{taxonomy_id:str}", operation_id="getTaxonomyById", opt=OPT)
    async def taxonomy(self, taxonomy_id: FromPath[str]) -> Doc:
        return taxonomy_doc(await _one(Taxonomy, taxonomy_id, "taxonomy", live=False))

    @get("/taxonomy_terms", operation_id="getPaginatedListOfTaxonomyTerms", opt=OPT)
    async def taxonomy_terms(
        self,
        search: Text = None,
        page: Number = 1,
        per_page: Number = 50,
        output: Format = None,
        taxonomy_id: Text = None,
        parent_id: Text = None,
        top_only: Flag = False,
    ) -> Any:
        ndjson = _format(output)
        filters = parse_filters(
            search=search, taxonomy_id=taxonomy_id, parent_id=parent_id, top_only=top_only
        )
        condition = hsds_filters.term_condition(filters)
        cache = await TaxonomyCache().load()

        async def build(rows: list[Row]) -> list[Doc]:
            return [
                cache.term_doc(row["id"], detail=True) for row in rows if row["id"] in cache.terms
            ]

        if ndjson:
            return _stream(TaxonomyTerm, condition, build)
        return await _page(TaxonomyTerm, condition, page, per_page, build)

    @get("/taxonomy_terms/{term_id:str}", operation_id="getTaxonomyTermById", opt=OPT)
    async def taxonomy_term(self, term_id: FromPath[str]) -> Doc:
        row = await _one(TaxonomyTerm, term_id, "taxonomy term", live=False)
        taxonomy = await rows_where_in(Taxonomy, "id", [row["taxonomy"]])
        return term_doc(row, taxonomy[0] if taxonomy else None, detail=True)


@get("/hsds/profile", operation_id="getHsdsProfile", tags=["hsds"], opt=OPT)
async def profile() -> dict[str, Any]:
    """What Lotse adds to HSDS: readable by anyone, as the profile URL of the API root."""
    return ext.profile()


ROUTES: list[Any] = [HsdsController, profile]
