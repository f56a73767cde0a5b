"""The roles a member can hold in an organisation (DESIGN.md, "Who uses it")."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    NETWORK_ADMIN = "network_admin"
    CASE_MANAGER = "case_manager"
    PROVIDER_STAFF = "provider_staff"
    VIEWER = "viewer"
    # Members of the city's committees: read the network-wide analysis, nothing else.
    COMMITTEE = "committee"


ROLES = tuple(role.value for role in Role)
