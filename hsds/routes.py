"""The read-only HSDS 3.1 API under /hsds/ (JSON and NDJSON).

Open to everyone when the directory (LOTSE_PUBLIC_DIRECTORY) or the HSDS API
(LOTSE_HSDS_PUBLIC) is public; otherwise it needs a log-in or an API token. Lists are pages
as the HSDS API reference defines them; ``format=ndjson`` streams every match instead. The
controller declares the guard, the paging and the offer filters once; each handler says which
list it shows and how a record is built.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import Controller, get
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException, NotFoundException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream

from core.urls import absolute_url
from directory import api as directory
from directory.api import ListingFilter, ListingKind
from hsds import extensions as ext
from hsds.filters import parse_filters
from hsds.mapping import Doc, iso_datetime, taxonomy_doc, term_doc
from hsds.queries import (
    TaxonomyCache,
    organization_docs,
    service_at_location_docs,
    service_docs,
)
from settings import get_settings

MAX_PER_PAGE = 500
STREAM_BATCH = 200
NDJSON = "application/x-ndjson"
OPT = {"public": True}

Build = Callable[[list[Any]], Awaitable[list[Doc]]]
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


class Paging(msgspec.Struct, frozen=True):
    """Which page of a list, or every match as NDJSON."""

    page: int
    per_page: int
    ndjson: bool


async def paging(page: Number = 1, per_page: Number = 50, output: Format = None) -> Paging:
    """The paging parameters every list takes; a wrong value answers 400."""
    chosen = (output or "json").strip().lower()
    if chosen not in {"json", "ndjson"}:
        raise ValidationException(f"format must be json or ndjson, got {output!r}")
    if page < 1:
        raise ValidationException("page must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationException(f"per_page must be between 1 and {MAX_PER_PAGE}")
    return Paging(page, per_page, chosen == "ndjson")


# The controller's dependencies, as handlers ask for them by name.
Pages = NamedDependency[Paging]
Offers = NamedDependency[ListingFilter]


async def offer_filters(
    search: Text = None,
    taxonomy_term_id: Text = None,
    taxonomy_id: Text = None,
    organization_id: Text = None,
    modified_after: Text = None,
    postcode: Text = None,
    proximity: Text = None,
) -> ListingFilter:
    """The filters of the lists of offers (services, and services at locations)."""
    return parse_filters(
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        organization_id=organization_id,
        modified_after=modified_after,
        postcode=postcode,
        proximity=proximity,
    )


class NdjsonStream(Stream):
    """A stream whose content type wins over the handler's JSON default."""

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["media_type"] = NDJSON
        return super().to_asgi_response(*args, **kwargs)


def _stream(kind: ListingKind, filters: ListingFilter, build: Build) -> Stream:
    """Every match, one record per line, read in batches by id."""
    encoder = msgspec.json.Encoder()

    async def lines() -> AsyncIterator[bytes]:
        async for records in directory.listing_batches(kind, filters, STREAM_BATCH):
            for doc in await build(records):
                yield encoder.encode(doc) + b"\n"

    return NdjsonStream(lines(), media_type=NDJSON)


async def listing(kind: ListingKind, filters: ListingFilter, paging: Paging, build: Build) -> Any:
    """One page in the HSDS page format (ordered by name), or the NDJSON stream."""
    if paging.ndjson:
        return _stream(kind, filters, build)
    found = await directory.listing_page(kind, filters, paging.page, paging.per_page)
    contents = await build(found.records)
    return {
        "total_items": found.total,
        "total_pages": found.total_pages,
        "page_number": paging.page,
        "size": len(contents),
        "first_page": paging.page == 1,
        "last_page": paging.page >= found.total_pages,
        "empty": not contents,
        "contents": contents,
    }


async def _one(kind: ListingKind, record_id: str, what: str) -> Any:
    try:
        key = uuid.UUID(record_id)
    except ValueError:
        raise NotFoundException(f"No {what} with the id {record_id!r}") from None
    record = await directory.listed_record(kind, key)
    if record is None:
        raise NotFoundException(f"No {what} with the id {record_id}")
    return record


def _minimal(records: list[directory.ServiceRecord]) -> list[Doc]:
    """Just enough to see what changed (name and status keep the items valid HSDS)."""
    return [
        {
            "id": str(record.id),
            "name": record.name,
            "status": record.status,
            "last_modified": iso_datetime(record.last_modified),
        }
        for record in records
    ]


class HsdsController(Controller):
    path = "/hsds"
    tags = ["hsds"]
    guards = [hsds_reader]
    opt = OPT
    dependencies = {"paging": Provide(paging), "offers": Provide(offer_filters)}

    @get("/", operation_id="getAPIMetaInformation")
    async def root(self) -> dict[str, Any]:
        return {
            "version": ext.HSDS_VERSION,
            "profile": absolute_url("/hsds/profile"),
            "openapi_url": absolute_url("/schema/openapi.json"),
        }

    @get("/services", operation_id="getPaginatedListOfServices")
    async def services(
        self, offers: Offers, paging: Pages, minimal: Flag = False, full: Flag = False
    ) -> Any:
        async def build(records: list[Any]) -> list[Doc]:
            return _minimal(records) if minimal else await service_docs(records, full=full)

        return await listing("service", offers, paging, build)

    @get("/services/{service_id:str}", operation_id="getFullyNestedServiceById")
    async def service(self, service_id: FromPath[str]) -> Doc:
        return (await service_docs([await _one("service", service_id, "service")]))[0]

    @get("/organizations", operation_id="getPaginatedListOfOrganizations")
    async def organizations(
        self,
        paging: Pages,
        search: Text = None,
        taxonomy_term_id: Text = None,
        taxonomy_id: Text = None,
        full: Flag = False,
    ) -> Any:
        filters = parse_filters(
            search=search, taxonomy_term_id=taxonomy_term_id, taxonomy_id=taxonomy_id
        )
        return await listing(
            "organization", filters, paging, lambda records: organization_docs(records, full=full)
        )

    @get("/organizations/{organization_id:str}", operation_id="getOrganizationById")
    async def organization(self, organization_id: FromPath[str], full_service: Flag = False) -> Doc:
        record = await _one("organization", organization_id, "organization")
        doc = (await organization_docs([record]))[0]
        offers = await directory.live_services_of_organization(record.id)
        doc["services"] = await service_docs(offers, full=full_service)
        return doc

    @get("/service_at_locations", operation_id="getPaginatedListOfServiceAtLocation")
    async def service_at_locations(
        self, offers: Offers, paging: Pages, full: Flag = False
    ) -> Any:
        # Always with the service: a place without its offer says little (``full`` is accepted).
        return await listing("service_at_location", offers, paging, service_at_location_docs)

    @get(
        "/service_at_locations/{sal_id:str}",
        operation_id="getServiceAtLocationWithNestedDataById",
    )
    async def service_at_location(self, sal_id: FromPath[str]) -> Doc:
        record = await _one("service_at_location", sal_id, "service at location")
        return (await service_at_location_docs([record]))[0]

    @get("/taxonomies", operation_id="getPaginatedListOfTaxonomies")
    async def taxonomies(self, paging: Pages, search: Text = None) -> Any:
        async def build(records: list[Any]) -> list[Doc]:
            return [taxonomy_doc(record) for record in records]

        return await listing("taxonomy", parse_filters(search=search), paging, build)

    @get("/taxonomies/{taxonomy_id:str}", operation_id="getTaxonomyById")
    async def taxonomy(self, taxonomy_id: FromPath[str]) -> Doc:
        return taxonomy_doc(await _one("taxonomy", taxonomy_id, "taxonomy"))

    @get("/taxonomy_terms", operation_id="getPaginatedListOfTaxonomyTerms")
    async def taxonomy_terms(
        self,
        paging: Pages,
        search: Text = None,
        taxonomy_id: Text = None,
        parent_id: Text = None,
        top_only: Flag = False,
    ) -> Any:
        filters = parse_filters(
            search=search, taxonomy_id=taxonomy_id, parent_id=parent_id, top_only=top_only
        )
        cache = await TaxonomyCache().load()

        async def build(records: list[Any]) -> list[Doc]:
            return [cache.term_doc(r.id, detail=True) for r in records if r.id in cache.terms]

        return await listing("taxonomy_term", filters, paging, build)

    @get("/taxonomy_terms/{term_id:str}", operation_id="getTaxonomyTermById")
    async def taxonomy_term(self, term_id: FromPath[str]) -> Doc:
        term = await _one("taxonomy_term", term_id, "taxonomy term")
        taxonomy = await directory.taxonomy_records([term.taxonomy])
        return term_doc(term, taxonomy[0] if taxonomy else None, detail=True)


@get("/hsds/profile", operation_id="getHsdsProfile", tags=["hsds"], opt=OPT)
async def profile() -> dict[str, Any]:
    """What Lotse adds to HSDS: readable by anyone, as the profile URL of the API root."""
    return ext.profile()
