"""The personal account page and the public page behind a password link."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from accounts import auth_cache
from accounts.admin_audit import Acting, acting_for
from accounts.credentials import issue_token, revoke_all_tokens, revoke_token
from accounts.guards import current_user
from accounts.management import check_locale
from accounts.middleware import AuthInfo
from accounts.page_helpers import text, view
from accounts.password_links import (
    LinkError,
    change_own_password,
    check_link,
    set_password_with_link,
)
from accounts.tables import ApiToken, User
from core import shown_once
from core.errors import ReadableError
from core.i18n import LANGUAGE_COOKIE, N_, gettext_for
from core.web import client_address

MAX_TOKEN_NAME = 100


async def _tokens(user_id: UUID) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await ApiToken.select(
        ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.created_at,
        ApiToken.last_used_at, ApiToken.revoked_at,
    ).where(ApiToken.user == user_id).order_by(ApiToken.created_at, ascending=False)
    return rows


async def _account_view(request: Request, *, done: str | None = None,
                        error: str | None = None, error_in: str | None = None,
                        new_token: dict[str, str] | None = None,
                        status_code: int = 200) -> Template:
    user = current_user(request)
    return view(request, "accounts/account.html", {
        "me": user, "tokens": await _tokens(user.id), "done": done, "error": error,
        "error_in": error_in, "new_token": new_token,
    }, status_code=status_code, secret=new_token is not None)


def _by(request: Request) -> Acting:
    return acting_for(request, current_user(request), "web")


def _refused(request: Request, error: ReadableError) -> str:
    return error.translated(gettext_for(request).gettext)


@get("/account", operation_id="accountPage", include_in_schema=False)
async def account_page(request: Request, done: FromQuery[str | None] = None) -> Template:
    shown = shown_once.taken(request)
    if shown is None or not shown.get("secret"):
        return await _account_view(request, done=done)
    new_token = {"name": shown.get("name", ""), "secret": shown["secret"]}
    return shown_once.forget(await _account_view(request, done=done, new_token=new_token),
                             "/account")


@post("/account/language", operation_id="accountSaveLanguage", include_in_schema=False)
async def save_language(request: Request) -> Response[Any]:
    form = await request.form()
    try:
        lang = check_locale(text(form, "lang", 5))
    except ReadableError as refused:
        return await _account_view(request, error=_refused(request, refused), error_in="language",
                                   status_code=400)
    await User.update({User.locale: lang, User.locale_chosen: True}).where(
        User.id == current_user(request).id
    )
    auth_cache.forget_all()
    response: Redirect = Redirect("/account?done=language", status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


@post("/account/password", operation_id="accountChangePassword", include_in_schema=False)
async def change_password(request: Request) -> Response[Any]:
    form = await request.form()
    auth = request.scope.get("auth")
    session_token = auth.session_token if isinstance(auth, AuthInfo) else None
    try:
        revoked = await change_own_password(
            current_user(request).id, text(form, "current_password", 1024),
            text(form, "new_password", 1024), text(form, "confirm_password", 1024),
            session_token, keep_tokens=text(form, "keep_tokens", 10) == "on", by=_by(request),
        )
    except ReadableError as refused:
        return await _account_view(request, error=_refused(request, refused), error_in="password",
                                   status_code=400)
    return Redirect(f"/account?done={'password-tokens' if revoked else 'password'}",
                    status_code=303)


@post("/account/tokens", operation_id="accountCreateToken", include_in_schema=False)
async def create_token(request: Request) -> Response[Any]:
    form = await request.form()
    name = text(form, "name", MAX_TOKEN_NAME).strip()
    if not name or len(name) > MAX_TOKEN_NAME:
        refused = ReadableError(N_("Give the token a name of 1 to {count} characters, e.g. the "
                                   "system that will use it."), count=MAX_TOKEN_NAME)
        return await _account_view(request, error=_refused(request, refused), error_in="tokens",
                                   status_code=400)
    _token_id, secret = await issue_token(current_user(request).id, name, _by(request))
    # Shown on the next page only: the database keeps nothing but a hash.
    return shown_once.redirect_with("/account", {"name": name, "secret": secret})


@post("/account/tokens/{token_id:uuid}/revoke", operation_id="accountRevokeToken",
      include_in_schema=False)
async def revoke(request: Request, token_id: FromPath[UUID]) -> Response[Any]:
    if not await revoke_token(token_id, current_user(request).id, _by(request)):
        refused = ReadableError(N_("This token is already revoked or does not belong to you."))
        return await _account_view(request, error=_refused(request, refused), error_in="tokens",
                                   status_code=404)
    return Redirect("/account?done=revoked", status_code=303)


@post("/account/tokens/revoke-all", operation_id="accountRevokeAllTokens",
      include_in_schema=False)
async def revoke_all(request: Request) -> Response[Any]:
    await revoke_all_tokens(current_user(request).id, _by(request))
    return Redirect("/account?done=revoked-all", status_code=303)


@get("/password/{token:str}", operation_id="passwordLinkPage", opt={"public": True},
     include_in_schema=False)
async def password_page(request: Request, token: FromPath[str]) -> Template:
    try:
        person = await check_link(token)
    except LinkError as refused:
        return view(request, "accounts/password.html",
                    {"link_error": _refused(request, refused)}, status_code=400, secret=True)
    return view(request, "accounts/password.html", {"person": person, "token": token},
                secret=True)


@post("/password/{token:str}", operation_id="setPasswordWithLink", opt={"public": True},
      include_in_schema=False)
async def password_submit(request: Request, token: FromPath[str]) -> Response[Any]:
    form = await request.form()
    try:
        person = await check_link(token)
        await set_password_with_link(token, text(form, "new_password", 1024),
                                     text(form, "confirm_password", 1024),
                                     remote_addr=client_address(request))
    except LinkError as refused:
        return view(request, "accounts/password.html",
                    {"link_error": _refused(request, refused)}, status_code=400, secret=True)
    except ReadableError as refused:
        return view(request, "accounts/password.html",
                    {"person": person, "token": token, "error": _refused(request, refused)},
                    status_code=400, secret=True)
    # The used link is worth nothing now; the log-in page says it worked.
    return Redirect("/login?done=password", status_code=303)


ROUTES = [account_page, save_language, change_password, create_token, revoke, revoke_all,
          password_page, password_submit]
