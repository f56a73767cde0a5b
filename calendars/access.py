"""Who may see and change which calendar: helpers the handlers call with the target offer."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException

from accounts.guards import current_user, require_role_in
from accounts.identity import CurrentUser
from core.i18n import gettext_for
from directory import api as directory
from settings import get_settings


def translate(connection: ASGIConnection) -> Callable[[str], str]:
    return gettext_for(connection).gettext


async def readable_service(connection: ASGIConnection, service_id: UUID) -> directory.ServiceBrief:
    """Members read every offer; without log-in only when the public directory is on."""
    if connection.scope.get("user") is None and not get_settings().public_directory:
        raise NotAuthorizedException("Please log in.")
    info = await directory.service_brief(service_id)
    if info is None or not info.active:
        raise NotFoundException("This offer does not exist (any more).")
    return info


def may_edit(user: CurrentUser | None, info: directory.ServiceBrief) -> bool:
    if user is None:
        return False
    if user.is_network_admin:
        return True
    return "provider_staff" in user.roles_in(info.organization_id)


async def editable_service(connection: ASGIConnection, service_id: UUID) -> directory.ServiceBrief:
    """Provider staff of the offer's organisation (or the network admins) change schedules."""
    user = current_user(connection)
    info = await directory.service_brief(service_id)
    if info is None:
        raise NotFoundException("This offer does not exist.")
    if not user.is_network_admin:
        require_role_in(user, info.organization_id, "provider_staff")
    return info
