"""Shapes of the user-management API: strict input structs and the answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from core.validation import OPTIONAL_ONE_LINE_PATTERN, strip_one_line

Email = Annotated[str, Meta(max_length=255)]
# One line; a blank name gets the accounts' own message ("Enter the person's name").
DisplayName = Annotated[str, Meta(min_length=1, max_length=255, pattern=OPTIONAL_ONE_LINE_PATTERN)]
Password = Annotated[str, Meta(max_length=1024)]
RoleName = Annotated[str, Meta(max_length=30)]
Locale = Literal["de", "en"]


class MembershipCreate(msgspec.Struct, forbid_unknown_fields=True):
    organization_id: UUID
    role: RoleName


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    display_name: DisplayName
    # Without a password the answer carries a link where the person sets one.
    password: Password | None = None
    memberships: Annotated[list[MembershipCreate], Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )
    locale: Locale = "de"

    def __post_init__(self) -> None:
        strip_one_line(self)


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True):
    display_name: DisplayName | UnsetType = UNSET
    is_active: bool | UnsetType = UNSET
    locale: Locale | UnsetType = UNSET

    def __post_init__(self) -> None:
        strip_one_line(self)


class MembershipOut(msgspec.Struct):
    id: UUID
    organization_id: UUID
    organization_name: str
    role: str


class UserOut(msgspec.Struct):
    id: UUID
    email: str
    display_name: str
    is_active: bool
    locale: str
    created_at: datetime
    last_login_at: datetime | None
    memberships: list[MembershipOut]


class PasswordLink(msgspec.Struct):
    """A link where the user sets a password: shown once, valid until `expires_at`, single use."""

    link: str
    expires_at: datetime


class CreatedUser(msgspec.Struct):
    user: UserOut
    password_link: PasswordLink | None = None


class OrganizationMembers(msgspec.Struct, frozen=True):
    """An organisation with its active members counted per role (the administration's list)."""

    id: UUID
    name: str
    kind: str
    retired_at: datetime | None
    roles: dict[str, int]
    members: int


class RevokedTokens(msgspec.Struct, frozen=True):
    """How many active API tokens were revoked."""

    revoked: int
