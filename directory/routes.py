"""JSON API of the directory: organisations, offers (services), locations, capacity.

Reading is open to every member (and to everyone when the public directory is switched on);
writing is checked per organisation in `directory.access`.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from accounts.guards import network_admin, provider_staff
from accounts.identity import CurrentUser
from core.errors import ReadableError
from core.web import Page, page_params
from directory import capacity, locations, organizations, queries, services
from directory.access import may_see_retired, reader, require_editor
from directory.outputs import (
    CapacityOut,
    LocationOut,
    OrganizationOut,
    ServiceDetail,
    ServiceSummary,
)
from directory.schemas import (
    CapacityUpdate,
    LocationCreate,
    LocationUpdate,
    OrganizationCreate,
    OrganizationUpdate,
    ServiceCreate,
    ServiceStatus,
    ServiceUpdate,
    strict_body,
)
from directory.tables import Location, Service

PUBLIC = {"public": True}
PageNumber = Annotated[int, QueryParameter(ge=1, le=100_000, description="1-based page number")]
PerPage = Annotated[int, QueryParameter(ge=1, le=200, description="Entries per page (at most 200)")]
FilterText = Annotated[str | None, QueryParameter(max_length=100)]


def _retired_allowed(user: CurrentUser | None, organization_id: UUID | None) -> None:
    if not may_see_retired(user, organization_id):
        raise PermissionDeniedException(
            "Only the network coordination can list retired entries (provider staff: add "
            "organization_id of your own organisation)."
        )


async def owner(table: type[Service] | type[Location], row_id: UUID) -> UUID:
    found = await queries.organization_of(table, row_id)
    if found is None:
        noun = "offer" if table is Service else "location"
        raise NotFoundException(f"No {noun} with this id.")
    return found[0]


async def load_service(service_id: UUID, user: CurrentUser | None) -> ServiceDetail:
    detail = await queries.service_detail(service_id)
    if detail is None or (user is None and detail.retired_at is not None):
        raise NotFoundException("No offer with this id.")
    if user is None:
        detail.assurer_email = None
    return detail


class OrganizationController(Controller):
    path = "/api/organizations"
    tags = ["directory"]

    @get("/", operation_id="listOrganizations", opt=PUBLIC)
    async def list_organizations(
        self, request: Request, page: PageNumber = 1,
        per_page: PerPage = 50, include_retired: FromQuery[bool] = False,
    ) -> Page[OrganizationOut]:
        """List organisations.

        Organisations of the network, paged and ordered by name, filtered by text and kind.
        """
        user = reader(request)
        if include_retired:
            _retired_allowed(user, None)
        offset, limit = page_params(page, per_page)
        items, total = await queries.list_organizations(include_retired, offset, limit)
        return Page(items=items, total=total, page=page, per_page=per_page)

    @get("/{organization_id:str}", operation_id="getOrganization", opt=PUBLIC)
    async def get_organization(self, request: Request,
                               organization_id: FromPath[UUID]) -> OrganizationOut:
        """Read one organisation.

        An organisation with its contact details and kind.
        """
        user = reader(request)
        found = await queries.organization_detail(organization_id)
        if found is None or (user is None and found.retired_at is not None):
            raise NotFoundException("No organisation with this id.")
        return found

    @post("/", operation_id="createOrganization", guards=[network_admin],
          status_code=HTTP_201_CREATED)
    async def create_organization(self, request: Request,
                                  data: JSONBody[OrganizationCreate]) -> OrganizationOut:
        """Create an organisation.

        A new member organisation of the network (network admins only).
        """
        data = await strict_body(request, OrganizationCreate)
        organization_id = await organizations.create_organization(data)
        found = await queries.organization_detail(organization_id)
        assert found is not None
        return found

    @patch("/{organization_id:str}", operation_id="updateOrganization", guards=[provider_staff])
    async def update_organization(self, request: Request, organization_id: FromPath[UUID],
                                  data: JSONBody[OrganizationUpdate]) -> OrganizationOut:
        """Change an organisation.

        Changes only the fields sent; staff may change their own organisation, network admins
        any. Search sees the change at once.
        """
        data = await strict_body(request, OrganizationUpdate)
        user = require_editor(request, organization_id)
        await organizations.update_organization(organization_id, data, user)
        found = await queries.organization_detail(organization_id)
        assert found is not None
        return found

    @post("/{organization_id:str}/retire", operation_id="retireOrganization",
          guards=[network_admin], status_code=HTTP_200_OK)
    async def retire_organization(self, organization_id: FromPath[UUID]) -> OrganizationOut:
        """Retire an organisation.

        The organisation, its offers and locations leave the directory, feeds and open data
        (network admins only); refused (409) when it would leave the network without an active
        network admin.
        """
        await organizations.retire_organization(organization_id)
        found = await queries.organization_detail(organization_id)
        assert found is not None
        return found


class ServiceController(Controller):
    path = "/api/services"
    tags = ["directory"]

    @get("/", operation_id="listServices", opt=PUBLIC)
    async def list_services(
        self, request: Request, page: PageNumber = 1,
        per_page: PerPage = 50, organization_id: FromQuery[UUID | None] = None,
        category: FromQuery[UUID | None] = None, target_group: FromQuery[UUID | None] = None,
        district: FilterText = None, language: FilterText = None,
        status: FromQuery[ServiceStatus | None] = None,
        include_retired: FromQuery[bool] = False,
        after: Annotated[UUID | None, QueryParameter(
            description="The id of the last offer of the page you have: the next page starts "
                        "after it (faster than a page number deep in the list).")] = None,
    ) -> Page[ServiceSummary]:
        """List offers.

        Offers of the directory, paged and ordered by name, filtered by organisation, category
        and text; retired offers only for those who may see them.
        """
        user = reader(request)
        if include_retired:
            _retired_allowed(user, organization_id)
        offset, limit = page_params(page, per_page)
        filters = queries.ServiceFilters(
            organization_id=organization_id, category_id=category, target_group_id=target_group,
            district=district or None, language=language or None, status=status,
            include_retired=include_retired,
        )
        try:
            items, total = await queries.list_services(filters, offset, limit, after)
        except ReadableError as error:
            raise error.http() from None
        return Page(items=items, total=total, page=page, per_page=per_page)

    @get("/{service_id:str}", operation_id="getService", opt=PUBLIC)
    async def get_service(self, request: Request, service_id: FromPath[UUID]) -> ServiceDetail:
        """Read one offer.

        An offer with its organisation, locations, categories, languages, costs and capacity.
        """
        return await load_service(service_id, reader(request))

    @post("/", operation_id="createService", guards=[provider_staff],
          status_code=HTTP_201_CREATED)
    async def create_service(self, request: Request,
                             data: JSONBody[ServiceCreate]) -> ServiceDetail:
        """Create an offer.

        A new offer of your organisation (network admins: any organisation); it is searchable at
        once.
        """
        data = await strict_body(request, ServiceCreate)
        user = require_editor(request, data.organization_id)
        service_id = await services.create_service(data, user.id, user.display_name)
        return await load_service(service_id, user)

    @patch("/{service_id:str}", operation_id="updateService", guards=[provider_staff])
    async def update_service(self, request: Request, service_id: FromPath[UUID],
                             data: JSONBody[ServiceUpdate]) -> ServiceDetail:
        """Change an offer.

        Changes only the fields sent; staff of the offer's organisation or network admins.
        """
        data = await strict_body(request, ServiceUpdate)
        user = require_editor(request, await owner(Service, service_id))
        await services.update_service(service_id, data)
        return await load_service(service_id, user)

    @post("/{service_id:str}/retire", operation_id="retireService", guards=[provider_staff],
          status_code=HTTP_200_OK)
    async def retire_service(self, request: Request,
                             service_id: FromPath[UUID]) -> ServiceDetail:
        """Retire an offer.

        The offer leaves the directory, search, feeds and open data; staff of its organisation or
        network admins.
        """
        user = require_editor(request, await owner(Service, service_id))
        await services.retire_service(service_id)
        return await load_service(service_id, user)

    @patch("/{service_id:str}/capacity", operation_id="updateServiceCapacity",
           guards=[provider_staff])
    async def update_capacity(self, request: Request, service_id: FromPath[UUID],
                              data: JSONBody[CapacityUpdate]) -> CapacityOut:
        """Set an offer's free places.

        The free and maximum places and whether the waitlist is open; refused (409) when places
        held by accepted referrals would exceed the maximum.
        """
        data = await strict_body(request, CapacityUpdate)
        user = require_editor(request, await owner(Service, service_id))
        try:
            return await capacity.update_capacity(service_id, data, user.id, user.display_name)
        except ReadableError as error:
            raise error.http() from None

    @post("/{service_id:str}/confirm", operation_id="confirmService", guards=[provider_staff],
          status_code=HTTP_200_OK)
    async def confirm_service(self, request: Request,
                              service_id: FromPath[UUID]) -> ServiceDetail:
        """Confirm an offer is current.

        Marks the offer's details as checked today by the caller, so that readers see how fresh
        the listing is.
        """
        user = require_editor(request, await owner(Service, service_id))
        await services.confirm_service(service_id, user.id, user.display_name, user.email)
        return await load_service(service_id, user)


class LocationController(Controller):
    path = "/api/locations"
    tags = ["directory"]

    @get("/", operation_id="listLocations", opt=PUBLIC)
    async def list_locations(
        self, request: Request, page: PageNumber = 1,
        per_page: PerPage = 50, organization_id: FromQuery[UUID | None] = None,
        district: FilterText = None, include_retired: FromQuery[bool] = False,
    ) -> Page[LocationOut]:
        """List locations.

        Locations of the directory's organisations, paged and ordered by name.
        """
        user = reader(request)
        if include_retired:
            _retired_allowed(user, organization_id)
        offset, limit = page_params(page, per_page)
        items, total = await queries.list_locations(organization_id, district or None,
                                                    include_retired, offset, limit)
        return Page(items=items, total=total, page=page, per_page=per_page)

    @get("/{location_id:str}", operation_id="getLocation", opt=PUBLIC)
    async def get_location(self, request: Request, location_id: FromPath[UUID]) -> LocationOut:
        """Read one location.

        A location with its address, coordinates and accessibility.
        """
        user = reader(request)
        found = await queries.location_detail(location_id)
        if found is None or (user is None and found.retired_at is not None):
            raise NotFoundException("No location with this id.")
        return found

    @post("/", operation_id="createLocation", guards=[provider_staff],
          status_code=HTTP_201_CREATED)
    async def create_location(self, request: Request,
                              data: JSONBody[LocationCreate]) -> LocationOut:
        """Create a location.

        A new location of your organisation (network admins: any organisation).
        """
        data = await strict_body(request, LocationCreate)
        require_editor(request, data.organization_id)
        location_id = await locations.create_location(data)
        found = await queries.location_detail(location_id)
        assert found is not None
        return found

    @patch("/{location_id:str}", operation_id="updateLocation", guards=[provider_staff])
    async def update_location(self, request: Request, location_id: FromPath[UUID],
                              data: JSONBody[LocationUpdate]) -> LocationOut:
        """Change a location.

        Changes only the fields sent; staff of the location's organisation or network admins.
        """
        data = await strict_body(request, LocationUpdate)
        require_editor(request, await owner(Location, location_id))
        await locations.update_location(location_id, data)
        found = await queries.location_detail(location_id)
        assert found is not None
        return found

    @post("/{location_id:str}/retire", operation_id="retireLocation", guards=[provider_staff],
          status_code=HTTP_200_OK)
    async def retire_location(self, request: Request,
                              location_id: FromPath[UUID]) -> LocationOut:
        """Retire a location.

        The location leaves the directory; offers there are no longer shown at it.
        """
        require_editor(request, await owner(Location, location_id))
        await locations.retire_location(location_id)
        found = await queries.location_detail(location_id)
        assert found is not None
        return found


API_ROUTES = [OrganizationController, ServiceController, LocationController]
