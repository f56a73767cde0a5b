"""The accounts domain's front door: what other domains may call.

Who is asking (`CurrentUser`, loaded per request), the guards every domain's HTTP layer puts on
its handlers, the roles, whom to tell (contacts), the audit log's writer (`record_audit`), and
the few writes others need (users for the command line and the demo). Nothing outside accounts
imports `accounts.tables`; modules of other domains import from here:

    from accounts import api as accounts
    guards = [accounts.case_manager]
    await accounts.create_user(email, name, password, [(organization_id, accounts.Role.VIEWER)])
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from accounts import audit, credentials, users
from accounts.contacts import Contact as Contact
from accounts.contacts import contact_of as contact_of
from accounts.contacts import members_with_role as members_with_role
from accounts.guards import authenticated as authenticated
from accounts.guards import case_manager as case_manager
from accounts.guards import csrf_protected as csrf_protected
from accounts.guards import current_user as current_user
from accounts.guards import member as member
from accounts.guards import network_admin as network_admin
from accounts.guards import provider_staff as provider_staff
from accounts.guards import require_role_in as require_role_in
from accounts.identity import CurrentUser as CurrentUser
from accounts.identity import MembershipInfo as MembershipInfo
from accounts.identity import load_user as load_user
from accounts.page_helpers import safe_next as safe_next
from accounts.roles import ROLES as ROLES
from accounts.roles import Role as Role
from accounts.users import MembershipListing as MembershipListing
from accounts.users import NewUser as NewUser
from accounts.users import SharedPassword as SharedPassword
from accounts.users import UserCount as UserCount
from accounts.users import UserError as UserError

# Appends one entry to the audit log (a read of personal data, a change), in the caller's
# transaction; see `accounts.audit.record`.
record_audit = audit.record

# --- users: set-up by the command line, the demo and tests --------------------------------------


async def create_user(
    email: str, display_name: str, password: str,
    memberships: list[tuple[UUID, str]] | None = None, locale: str = "de",
) -> UUID:
    """A new active user with a role in each given organisation; `UserError` says what is wrong."""
    return await users.create_user(email, display_name, password, memberships, locale)


async def find_user_id(email: str) -> UUID | None:
    return await users.find_user_id(email)


async def list_memberships() -> list[MembershipListing]:
    """Every user's role in every organisation, by e-mail (`lotse users list`)."""
    return await users.list_memberships()


async def issue_api_token(user_id: UUID, name: str) -> str:
    """A new API token of the user; the secret is shown once, only its hash is kept."""
    _token_id, secret = await credentials.issue_token(user_id, name)
    return secret


# --- users loaded in bulk (the demo network) ----------------------------------------------------


async def shared_password(password: str) -> SharedPassword:
    """Hash one password for many users, before the transaction that adds them."""
    return await users.shared_password(password)


async def add_users(new_users: list[NewUser], password: SharedPassword,
                    created_at: datetime) -> None:
    """Users with fixed ids and one membership each, inside the caller's transaction."""
    await users.add_users(new_users, password, created_at)


async def count_users(ids: list[UUID]) -> UserCount:
    """How many of `ids` are users, and how many users there are besides."""
    return await users.count_users(ids)


# --- audit log reads ---

SubjectAccess = audit.SubjectAccess
# Every audit entry about one subject (a client), for its GDPR Art. 15 export.
accesses_to = audit.accesses_to

# The result of checking the whole hash chain (`ok`, `checked`, `head_hash`, first bad entry).
AuditVerification = audit.VerifyResult
verify_audit_chain = audit.verify_chain


async def audit_head() -> tuple[int, str]:
    """How many entries the audit log holds and the newest one's hash, read in the caller's
    transaction (a backup's manifest notes both, to check a restore against)."""
    return await audit.head()
