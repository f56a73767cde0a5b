"""Jinja templates: one loader over core/templates and every domain's templates folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar.connection import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template import TemplateConfig
from markupsafe import Markup, escape

from core.i18n import LANGUAGES, domain_names, gettext_for, pick_language
from core.security_headers import csp_nonce
from core.time import day_text, when_text
from settings import get_settings

ROOT = Path(__file__).resolve().parent.parent


def template_dirs() -> list[Path]:
    folders = [ROOT / name / "templates" for name in domain_names()]
    return [folder for folder in folders if folder.is_dir()]


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(p) for p in template_dirs()]),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Times are stored in UTC and always shown in Berlin time: {{ m.created_at|when }}.
    env.filters["when"] = when_text
    env.filters["day"] = day_text
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(make_environment()))


def page_context(request: Request) -> dict[str, Any]:
    """What every page needs: translations, language, user and the CSRF token."""
    t = gettext_for(request)
    auth = request.scope.get("auth")
    csrf = getattr(auth, "csrf_token", "")

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="csrf_token" value="{}">').format(escape(csrf))

    settings = get_settings()
    return {
        "map_tiles": settings.map_tiles,
        "map_attribution": settings.map_attribution,
        "_": t.gettext,
        "gettext": t.gettext,
        "ngettext": t.ngettext,
        "lang": pick_language(request),
        "languages": LANGUAGES,
        "user": request.scope.get("user"),
        "csrf_token": csrf,
        "csrf_field": csrf_field,
        "csp_nonce": csp_nonce(request.scope),
    }


def render(
    request: Request, template_name: str, context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    return Template(
        template_name=template_name,
        context={**page_context(request), **(context or {})},
        status_code=status_code,
    )
