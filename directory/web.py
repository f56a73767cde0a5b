"""Routes of the directory domain, picked up by the application factory."""

from directory.api import API_ROUTES
from directory.pages import PAGE_ROUTES

ROUTES = [*API_ROUTES, *PAGE_ROUTES]
