"""Who sees which analysis, and reading a report's question from a request.

Network administrators and committee members see the network. Provider staff see their own
organisations' figures (referrals addressed to them) beside the network's. Case managers see
the outcomes of the referrals their own organisations sent. Other members see none.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from accounts.guards import current_user
from accounts.identity import CurrentUser
from accounts.roles import Role
from analysis import catalog, periods
from analysis.context import NEEDS, Ask
from core.errors import N_, ReadableError
from core.i18n import translations
from core.time import berlin_today
from core.validation import is_one_line
from referrals import api as referrals

NETWORK_ROLES = (Role.NETWORK_ADMIN, Role.COMMITTEE)
READER_ROLES = (*NETWORK_ROLES, Role.PROVIDER_STAFF, Role.CASE_MANAGER)


def analysis_reader(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if not current_user(connection).has_role(*READER_ROLES):
        raise PermissionDeniedException(N_("Your role does not allow this."))


@dataclass(frozen=True)
class View:
    """One set of figures a reader may see: `network` or `own` (their organisations')."""

    key: str
    scope: referrals.FigureScope
    figures: tuple[str, ...]


def views_of(user: CurrentUser) -> list[View]:
    views: list[View] = []
    if user.has_role(*NETWORK_ROLES):
        return [View("network", referrals.FigureScope(), catalog.KEYS)]
    providers = frozenset(user.org_ids_with(Role.PROVIDER_STAFF))
    if providers:
        views.append(View("own", referrals.FigureScope(recipients=providers), catalog.KEYS))
        views.append(View("network", referrals.FigureScope(), catalog.KEYS))
        return views
    senders = frozenset(user.org_ids_with(Role.CASE_MANAGER))
    if senders:
        views.append(View("own", referrals.FigureScope(senders=senders),
                          catalog.CASE_MANAGER_KEYS))
    return views


@dataclass(frozen=True)
class Question:
    """What the page's form or the API's query asks for, before it is checked."""

    period: str = "year"
    year: int | None = None
    number: int | None = None
    first: str | None = None
    last: str | None = None
    district: str = ""
    need: str = ""
    category: str = ""


def _text(value: str, name: str) -> str:
    value = value.strip()
    if len(value) > 100 or not is_one_line(value or "x"):
        raise ReadableError(N_("The filter {name} is too long or spans several lines."),
                            name=name)
    return value


def ask_for(question: Question, lang: str, view: View) -> Ask:
    """The checked question as an `Ask` of one view; raises ReadableError (4xx)."""
    period = periods.parse(question.period, question.year, question.number, question.first,
                           question.last, berlin_today())
    need = _text(question.need, "need")
    if need and need not in NEEDS:
        raise ReadableError(N_("Choose one of the needs offered, or all."))
    return Ask(period=period, lang=lang, gettext=translations(lang).gettext,
               district=_text(question.district, "district"), need=need,
               category=_text(question.category, "category"), scope=view.scope)
