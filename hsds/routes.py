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
from litestar import Controller, HttpMethod, route
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
from hsds import responses, vocabulary
from hsds.filters import parse_filters
from hsds.http import hsds_http
from hsds.mapping import Doc, iso_datetime
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
OPT = {"public": True, "read_only": True}

Build = Callable[[list[Any]], Awaitable[list[Doc]]]
Text = FromQuery[str | None]
Flag = FromQuery[bool]
Number = FromQuery[int]
Format = Annotated[
    str | None, QueryParameter(name="format", description="json (default) or ndjson")
]


async def hsds_reader(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
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
    return page_body(contents, found.total, found.total_pages, paging)


def page_body(contents: list[Doc], total: int, total_pages: int, paging: Paging) -> Doc:
    """The HSDS page envelope around ``contents``."""
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": paging.page,
        "size": len(contents),
        "first_page": paging.page == 1,
        "last_page": paging.page >= total_pages,
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


def op_id(name: str) -> Callable[[Any, Any, Any], str]:
    """The reference's operation id for GET; POST and HEAD get their own (ids are unique)."""

    def create(_handler: Any, method: Any, _path: Any) -> str:
        verb = str(getattr(method, "value", method)).upper()
        return name if verb == "GET" else f"{name}{verb.title()}"

    return create


LIST = [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST]
ONE = [HttpMethod.GET, HttpMethod.HEAD]
LIST_NOTE = (
    "\n\nPOST takes the same query parameters (for clients that send long filters that way); "
    "HEAD answers the headers of GET without the body. `format=ndjson` streams every match, "
    "one record per line, instead of a page."
)


def _vocabulary_page(docs: list[Doc], paging: Paging) -> Any:
    """A page (or the NDJSON stream) of records already filtered in memory."""
    if paging.ndjson:
        encoder = msgspec.json.Encoder()

        async def lines() -> AsyncIterator[bytes]:
            for doc in docs:
                yield encoder.encode(doc) + b"\n"

        return NdjsonStream(lines(), media_type=NDJSON)
    total_pages = -(-len(docs) // paging.per_page)
    start = (paging.page - 1) * paging.per_page
    return page_body(docs[start : start + paging.per_page], len(docs), total_pages, paging)


class HsdsController(Controller):
    path = "/hsds"
    tags = ["hsds"]
    guards = [hsds_reader]
    opt = OPT
    middleware = [hsds_http]
    dependencies = {"paging": Provide(paging), "offers": Provide(offer_filters)}

    @route("/", http_method=ONE, operation_id=op_id("getAPIMetaInformation"),
           summary="HSDS API root", responses=responses.META)
    async def root(self) -> dict[str, Any]:
        """The HSDS version this API speaks, the profile URL and where its OpenAPI is."""
        return {
            "version": ext.HSDS_VERSION,
            "profile": absolute_url("/hsds/profile"),
            "openapi_url": absolute_url("/schema/openapi.json"),
        }

    @route("/services", http_method=LIST, status_code=200,
           operation_id=op_id("getPaginatedListOfServices"),
           summary="List services", responses=responses.page("service"))
    async def services(
        self, offers: Offers, paging: Pages, minimal: Flag = False, full: Flag = False
    ) -> Any:
        """Live offers as HSDS services, ordered by name, filtered by the query (all filters
        combined with AND). `full=true` adds every nested record, `minimal=true` only id,
        name, status and last change."""

        async def build(records: list[Any]) -> list[Doc]:
            return _minimal(records) if minimal else await service_docs(records, full=full)

        return await listing("service", offers, paging, build)

    @route("/services/{service_id:str}", http_method=ONE,
           operation_id=op_id("getFullyNestedServiceById"), summary="Read one service",
           responses=responses.record("service"))
    async def service(self, service_id: FromPath[str]) -> Doc:
        """One live offer with every nested record (locations, schedules, contacts,
        capacity, attributes)."""
        return (await service_docs([await _one("service", service_id, "service")]))[0]

    @route("/organizations", http_method=LIST, status_code=200,
           operation_id=op_id("getPaginatedListOfOrganizations"), summary="List organizations",
           responses=responses.page("organization"))
    async def organizations(
        self,
        paging: Pages,
        search: Text = None,
        taxonomy_term_id: Text = None,
        taxonomy_id: Text = None,
        full: Flag = False,
        full_service: Flag = False,
    ) -> Any:
        """Live organisations ordered by name. `full=true` adds phones, contacts and
        locations; `full_service=true` adds each organisation's live services, fully nested."""
        filters = parse_filters(
            search=search, taxonomy_term_id=taxonomy_term_id, taxonomy_id=taxonomy_id
        )

        async def build(records: list[Any]) -> list[Doc]:
            docs = await organization_docs(records, full=full)
            if full_service:
                await _add_services(records, docs)
            return docs

        return await listing("organization", filters, paging, build)

    @route("/organizations/{organization_id:str}", http_method=ONE,
           operation_id=op_id("getOrganizationById"), summary="Read one organization",
           responses=responses.record("organization"))
    async def organization(self, organization_id: FromPath[str], full_service: Flag = False) -> Doc:
        """One live organisation with its locations and its live services (fully nested with
        `full_service=true`, else their one-to-one fields)."""
        record = await _one("organization", organization_id, "organization")
        doc = (await organization_docs([record]))[0]
        offers = await directory.live_services_of_organization(record.id)
        doc["services"] = await service_docs(offers, full=full_service)
        return doc

    @route("/service_at_locations", http_method=LIST, status_code=200,
           operation_id=op_id("getPaginatedListOfServiceAtLocation"),
           summary="List services at locations", responses=responses.page("service_at_location"))
    async def service_at_locations(
        self, offers: Offers, paging: Pages, full: Flag = False
    ) -> Any:
        """Where each live offer takes place, with the location and the service, filtered
        like the services (postcode and proximity included)."""
        # Always with the service: a place without its offer says little (``full`` is accepted).
        return await listing("service_at_location", offers, paging, service_at_location_docs)

    @route("/service_at_locations/{sal_id:str}", http_method=ONE,
           operation_id=op_id("getServiceAtLocationWithNestedDataById"),
           summary="Read one service at a location",
           responses=responses.record("service_at_location"))
    async def service_at_location(self, sal_id: FromPath[str]) -> Doc:
        """One offer at one location, with the location, its schedules and the service with
        every nested record."""
        record = await _one("service_at_location", sal_id, "service at location")
        return (await service_at_location_docs([record], full_service=True))[0]

    @route("/taxonomies", http_method=LIST, status_code=200,
           operation_id=op_id("getPaginatedListOfTaxonomies"),
           summary="List taxonomies", responses=responses.page("taxonomy"))
    async def taxonomies(self, paging: Pages, search: Text = None) -> Any:
        """Every taxonomy, Lotse's own profile taxonomy included, ordered by name."""
        return _vocabulary_page(vocabulary.taxonomies(await TaxonomyCache().load(), search), paging)

    @route("/taxonomies/{taxonomy_id:str}", http_method=ONE,
           operation_id=op_id("getTaxonomyById"), summary="Read one taxonomy",
           responses=responses.record("taxonomy"))
    async def taxonomy(self, taxonomy_id: FromPath[str]) -> Doc:
        """One taxonomy by its id."""
        doc = vocabulary.taxonomy(await TaxonomyCache().load(), _key(taxonomy_id, "taxonomy"))
        if doc is None:
            raise NotFoundException(f"No taxonomy with the id {taxonomy_id}")
        return doc

    @route("/taxonomy_terms", http_method=LIST, status_code=200,
           operation_id=op_id("getPaginatedListOfTaxonomyTerms"), summary="List taxonomy terms",
           responses=responses.page("taxonomy_term"))
    async def taxonomy_terms(
        self,
        paging: Pages,
        search: Text = None,
        taxonomy_id: Text = None,
        parent_id: Text = None,
        top_only: Flag = False,
    ) -> Any:
        """Every term (categories, target groups and the Lotse profile terms that attributes
        name), ordered by name; `top_only=true` leaves out sub-terms."""
        filters = parse_filters(taxonomy_id=taxonomy_id, parent_id=parent_id)
        docs = vocabulary.terms(
            await TaxonomyCache().load(),
            search=search,
            taxonomy_id=_uuid_or_none(taxonomy_id, filters.taxonomy_id),
            parent_id=filters.parent_id,
            top_only=top_only,
        )
        return _vocabulary_page(docs, paging)

    @route("/taxonomy_terms/{term_id:str}", http_method=ONE,
           operation_id=op_id("getTaxonomyTermById"), summary="Read one taxonomy term",
           responses=responses.record("taxonomy_term"))
    async def taxonomy_term(self, term_id: FromPath[str]) -> Doc:
        """One term with its taxonomy; every `taxonomy_term_id` an attribute names resolves."""
        doc = vocabulary.term(await TaxonomyCache().load(), _key(term_id, "taxonomy term"))
        if doc is None:
            raise NotFoundException(f"No taxonomy term with the id {term_id}")
        return doc


def _key(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFoundException(f"No {what} with the id {value!r}") from None


def _uuid_or_none(raw: str | None, parsed: uuid.UUID | None) -> uuid.UUID | None:
    # parse_filters folds the Lotse taxonomy into "no filter" for offers; terms need the id.
    return uuid.UUID(raw.strip()) if raw and raw.strip() and parsed is None else parsed


async def _add_services(records: list[Any], docs: list[Doc]) -> None:
    """Each organisation's live services, fully nested (``full_service=true`` on the list):
    the services of the whole page are built at once."""
    offers = {record.id: await directory.live_services_of_organization(record.id)
              for record in records}
    built = await service_docs([offer for found in offers.values() for offer in found])
    by_id = {doc["id"]: doc for doc in built}
    for record, doc in zip(records, docs, strict=True):
        doc["services"] = [by_id[str(offer.id)] for offer in offers[record.id]]


@route("/hsds/profile", http_method=ONE, operation_id=op_id("getHsdsProfile"), tags=["hsds"],
       opt=OPT, middleware=[hsds_http], summary="The Lotse HSDS profile",
       responses=responses.PROFILE)
async def profile() -> dict[str, Any]:
    """What Lotse adds to HSDS (attributes, their taxonomy, extra properties): readable by
    anyone, as the profile URL of the API root."""
    return ext.profile()
