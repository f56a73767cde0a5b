"""The route table of the directory domain: the JSON API (`routes.py`) and the pages."""

from directory import pages_capacity, pages_organizations
from directory.pages import PAGE_ROUTES
from directory.routes import API_ROUTES

ROUTES = [*API_ROUTES, *PAGE_ROUTES, *pages_capacity.ROUTES,
          *pages_organizations.ROUTES]
