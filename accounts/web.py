"""Log-in, log-out, language switch, the current user and API tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from accounts import account_pages, admin_api, admin_pages, ratelimit
from accounts.credentials import (
    SESSION_LIFETIME,
    close_session,
    issue_token,
    open_session,
    revoke_token,
)
from accounts.guards import current_user
from accounts.identity import MembershipInfo
from accounts.middleware import SESSION_COOKIE, AuthInfo
from accounts.passwords import DUMMY_HASH, verify_password_async
from accounts.routes_audit import ROUTES as AUDIT_ROUTES
from accounts.tables import ApiToken, User
from core.i18n import LANGUAGE_COOKIE, LANGUAGES, gettext_for
from core.templates import render
from settings import get_settings


def safe_next(target: str | None) -> str:
    """Only local paths, so a log-in link cannot send people to another site."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@get("/", operation_id="home", opt={"public": True}, include_in_schema=False)
async def home(request: Request) -> Redirect:
    return Redirect("/search" if request.scope.get("user") else "/login")


@get("/login", operation_id="loginPage", opt={"public": True}, include_in_schema=False)
async def login_page(request: Request, next: FromQuery[str | None] = None) -> Template:
    return render(request, "accounts/login.html", {"next": safe_next(next), "error": None})


@post("/login", operation_id="login", opt={"public": True}, include_in_schema=False)
async def login(request: Request) -> Response[Any]:
    form = await request.form()
    email = str(form.get("email") or "").strip().lower()[:255]
    password = str(form.get("password") or "")[:1024]
    target = safe_next(str(form.get("next") or "/"))
    t = gettext_for(request)
    address = request.client.host if request.client else "unknown"
    if ratelimit.is_blocked(email, address):
        return render(
            request, "accounts/login.html",
            {"next": target, "email": email,
             "error": t.gettext("Too many failed attempts. Please wait 15 minutes and try again.")},
            status_code=429,
        )
    row = await User.select(User.id, User.password_hash, User.is_active).where(
        User.email == email
    ).first()
    valid = await verify_password_async(row["password_hash"] if row else DUMMY_HASH, password)
    if row is None or not valid or not row["is_active"]:
        ratelimit.record_failure(email, address)
        return render(
            request, "accounts/login.html",
            {"next": target, "email": email,
             "error": t.gettext("E-mail or password is not correct.")},
            status_code=400,
        )
    ratelimit.forget(email)
    token, _csrf = await open_session(row["id"])
    await User.update({User.last_login_at: datetime.now(UTC)}).where(User.id == row["id"])
    response: Redirect = Redirect(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True,
        samesite="lax", secure=get_settings().base_url.startswith("https://"),
    )
    return response


@post("/logout", operation_id="logout", include_in_schema=False)
async def logout(request: Request) -> Redirect:
    auth = request.scope.get("auth")
    if isinstance(auth, AuthInfo) and auth.session_token:
        await close_session(auth.session_token)
    response = Redirect("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@post("/language", operation_id="switchLanguage", opt={"public": True}, include_in_schema=False)
async def switch_language(request: Request) -> Redirect:
    form = await request.form()
    lang = str(form.get("lang") or "de")
    if lang not in LANGUAGES:
        lang = "de"
    referer = request.headers.get("referer")
    target = safe_next(urlsplit(referer).path if referer else "/")
    user = request.scope.get("user")
    if user is not None:
        # Logged in: the choice is also the saved preference (used e.g. for e-mails).
        await User.update({User.locale: lang}).where(User.id == user.id)
    response = Redirect(target, status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


class Me(msgspec.Struct):
    id: UUID
    email: str
    display_name: str
    memberships: list[MembershipInfo]


@get("/api/me", operation_id="getMe", tags=["accounts"])
async def me(request: Request) -> Me:
    user = current_user(request)
    return Me(id=user.id, email=user.email, display_name=user.display_name,
              memberships=user.memberships)


class TokenCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: str = msgspec.field(default="")

    def __post_init__(self) -> None:
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


@get("/api/tokens", operation_id="listTokens", tags=["accounts"])
async def list_tokens(request: Request) -> list[TokenInfo]:
    user = current_user(request)
    rows = await ApiToken.select(
        ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.created_at,
        ApiToken.last_used_at, ApiToken.revoked_at,
    ).where(ApiToken.user == user.id).order_by(ApiToken.created_at)
    return [msgspec.convert(row, TokenInfo) for row in rows]


@post("/api/tokens", operation_id="createToken", tags=["accounts"], status_code=HTTP_201_CREATED)
async def create_token(request: Request, data: JSONBody[TokenCreate]) -> NewToken:
    user = current_user(request)
    token_id, secret = await issue_token(user.id, data.name)
    return NewToken(id=token_id, name=data.name, token=secret)


@delete("/api/tokens/{token_id:uuid}", operation_id="revokeToken", tags=["accounts"],
        status_code=HTTP_204_NO_CONTENT)
async def delete_token(request: Request, token_id: FromPath[UUID]) -> None:
    user = current_user(request)
    if not await revoke_token(token_id, user.id):
        raise NotFoundException("No active token with this id belongs to you.")


ROUTES = [home, login_page, login, logout, switch_language, me, list_tokens, create_token,
          delete_token, *admin_api.ROUTES, *admin_pages.ROUTES, *account_pages.ROUTES,
          *AUDIT_ROUTES]
