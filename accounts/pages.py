"""The pages every visitor meets: the start page, log-in, log-out and the language switch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from accounts import auth_cache, ratelimit
from accounts.credentials import SESSION_LIFETIME, close_session, open_session
from accounts.middleware import SESSION_COOKIE, AuthInfo
from accounts.page_helpers import safe_next
from accounts.passwords import DUMMY_HASH, verify_password_async
from accounts.tables import User
from core.i18n import DEFAULT_LANGUAGE, LANGUAGE_COOKIE, LANGUAGES, gettext_for
from core.templates import render
from core.web import client_address
from settings import get_settings


@get("/", operation_id="home", opt={"public": True}, include_in_schema=False)
async def home(request: Request) -> Redirect:
    return Redirect("/search" if request.scope.get("user") else "/login")


@get("/login", operation_id="loginPage", opt={"public": True}, include_in_schema=False)
async def login_page(request: Request, next: FromQuery[str | None] = None,
                     done: FromQuery[str | None] = None) -> Template:
    target = safe_next(next)
    # Sent here by a form whose session had ended: say that its input is waiting.
    expired = "restore=1" in target
    return render(request, "accounts/login.html",
                  {"next": target, "error": None, "expired": expired,
                   "password_set": done == "password"})


@post("/login", operation_id="login", opt={"public": True}, include_in_schema=False)
async def login(request: Request) -> Response[Any]:
    form = await request.form()
    email = str(form.get("email") or "").strip().lower()[:255]
    password = str(form.get("password") or "")[:1024]
    target = safe_next(str(form.get("next") or "/"))
    t = gettext_for(request)
    attempt = await ratelimit.begin(email, client_address(request))
    if attempt is None:
        return render(
            request, "accounts/login.html",
            {"next": target, "email": email,
             "error": t.gettext("Too many failed attempts. Please wait 15 minutes and try again.")},
            status_code=429,
        )
    row = await User.select(
        User.id, User.password_hash, User.is_active, User.locale, User.locale_chosen
    ).where(User.email == email).first()
    valid = await verify_password_async(row["password_hash"] if row else DUMMY_HASH, password)
    if row is None or not valid or not row["is_active"]:
        return render(
            request, "accounts/login.html",
            {"next": target, "email": email,
             "error": t.gettext("E-mail or password is not correct.")},
            status_code=400,
        )
    await ratelimit.succeeded(attempt)
    token, _csrf = await open_session(row["id"])
    await User.update({User.last_login_at: datetime.now(UTC)}).where(User.id == row["id"])
    response: Redirect = Redirect(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True,
        samesite="lax", secure=get_settings().is_https,
    )
    if row["locale"] in LANGUAGES and (row["locale_chosen"] or row["locale"] != DEFAULT_LANGUAGE):
        # A language chosen on the account follows the person to every device they log in on;
        # the German every new account starts with leaves the browser's preference in force.
        response.set_cookie(LANGUAGE_COOKIE, row["locale"], max_age=365 * 24 * 3600,
                            samesite="lax")
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
        await User.update({User.locale: lang, User.locale_chosen: True}).where(
            User.id == user.id
        )
        auth_cache.forget_all()
    response = Redirect(target, status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


ROUTES = [home, login_page, login, logout, switch_language]
