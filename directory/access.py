"""Who may read and change the directory.

Reading: every member; anyone when LOTSE_PUBLIC_DIRECTORY is on. Changing offers, locations and
capacity: provider staff of the owning organisation and the network coordination.
"""

from __future__ import annotations

from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from accounts.guards import current_user
from accounts.identity import CurrentUser
from accounts.roles import Role
from settings import get_settings


def reader(connection: ASGIConnection) -> CurrentUser | None:
    """For handlers marked public: the user, or None when the public directory is switched on."""
    user = connection.scope.get("user")
    if isinstance(user, CurrentUser):
        return user
    if not get_settings().public_directory:
        raise NotAuthorizedException("Please log in.")
    return None


def can_edit(user: CurrentUser | None, organization_id: UUID) -> bool:
    if user is None:
        return False
    return user.is_network_admin or Role.PROVIDER_STAFF in user.roles_in(organization_id)


def require_editor(connection: ASGIConnection, organization_id: UUID) -> CurrentUser:
    user = current_user(connection)
    if not can_edit(user, organization_id):
        raise PermissionDeniedException(
            "Only staff of the organisation that runs this offer (or the network coordination) "
            "can change it."
        )
    return user


def may_see_retired(user: CurrentUser | None, organization_id: UUID | None) -> bool:
    """Retired entries: the coordination sees all, provider staff those of their organisation."""
    if user is None:
        return False
    if user.is_network_admin:
        return True
    return organization_id is not None and can_edit(user, organization_id)
