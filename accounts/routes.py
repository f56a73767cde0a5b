"""JSON API of one's own account: who am I, and my API tokens (issue, revoke one or all)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
from litestar import Request, delete, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from accounts.admin_audit import acting_for
from accounts.credentials import issue_token, revoke_all_tokens, revoke_token
from accounts.guards import current_user
from accounts.identity import MembershipInfo
from accounts.schemas import RevokedTokens
from accounts.tables import ApiToken
from core.validation import OptionalOneLine, strip_one_line


class Me(msgspec.Struct):
    id: UUID
    email: str
    display_name: str
    memberships: list[MembershipInfo]


class TokenCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: OptionalOneLine = msgspec.field(default="")

    def __post_init__(self) -> None:
        strip_one_line(self)
        if len(self.name) > 100:
            raise ValueError("name: at most 100 characters")


class TokenInfo(msgspec.Struct):
    id: UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewToken(msgspec.Struct):
    id: UUID
    name: str
    token: str


@get("/api/me", operation_id="getMe", tags=["accounts"])
async def me(request: Request) -> Me:
    """Who I am.

    The logged-in user or the owner of the API token: id, e-mail, display name and the
    organisations and roles they belong to.
    """
    user = current_user(request)
    return Me(id=user.id, email=user.email, display_name=user.display_name,
              memberships=user.memberships)


@get("/api/tokens", operation_id="listTokens", tags=["accounts"])
async def list_tokens(request: Request) -> list[TokenInfo]:
    """List my API tokens.

    Your API tokens, oldest first, with name, prefix, when each was created and last used, and
    whether it was revoked; never a token's secret.
    """
    user = current_user(request)
    rows = await ApiToken.select(
        ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.created_at,
        ApiToken.last_used_at, ApiToken.revoked_at,
    ).where(ApiToken.user == user.id).order_by(ApiToken.created_at)
    return [msgspec.convert(row, TokenInfo) for row in rows]


@post("/api/tokens", operation_id="createToken", tags=["accounts"], status_code=HTTP_201_CREATED)
async def create_token(request: Request, data: JSONBody[TokenCreate]) -> NewToken:
    """Issue an API token.

    A new API token for yourself; the secret is in this answer only and cannot be shown again.
    Written to the audit log.
    """
    user = current_user(request)
    token_id, secret = await issue_token(user.id, data.name, acting_for(request, user, "api"))
    return NewToken(id=token_id, name=data.name, token=secret)


@delete("/api/tokens/{token_id:uuid}", operation_id="revokeToken", tags=["accounts"],
        status_code=HTTP_204_NO_CONTENT)
async def delete_token(request: Request, token_id: FromPath[UUID]) -> None:
    """Revoke one of my API tokens.

    The token stops working at once; 404 when no active token with this id belongs to you.
    Written to the audit log.
    """
    user = current_user(request)
    if not await revoke_token(token_id, user.id, acting_for(request, user, "api")):
        raise NotFoundException("No active token with this id belongs to you.")


@post("/api/tokens/revoke-all", operation_id="revokeAllTokens", tags=["accounts"],
      status_code=HTTP_200_OK)
async def revoke_all(request: Request) -> RevokedTokens:
    """Revoke all my API tokens.

    Revokes every active API token of yours, including the one this request may use.
    """
    user = current_user(request)
    return RevokedTokens(revoked=await revoke_all_tokens(user.id, acting_for(request, user, "api")))


ROUTES = [me, list_tokens, create_token, delete_token, revoke_all]
