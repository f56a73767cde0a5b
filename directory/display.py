"""Helpers the directory's templates use to show codes, terms and dates in the UI language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency

from core.i18n import translations
from core.time import BERLIN
from directory import languages
from directory.outputs import TermRef
from settings import get_settings


def status_labels(lang: str) -> dict[str, str]:
    t = translations(lang)
    return {
        "active": t.gettext("active"),
        "inactive": t.gettext("inactive"),
        "defunct": t.gettext("discontinued"),
        "temporarily closed": t.gettext("temporarily closed"),
    }


def display_helpers(lang: str) -> dict[str, Any]:
    locale = "de_DE" if lang == "de" else "en_GB"

    def term(item: TermRef) -> str:
        return item.name_en if lang == "en" and item.name_en else item.name

    def language(code: str) -> str:
        return languages.name(code, lang)

    def day(value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return format_date(value.astimezone(BERLIN).date(), "medium", locale=locale)
        return format_date(value, "medium", locale=locale)

    def moment(value: datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value.astimezone(BERLIN), "medium", locale=locale)

    def money(amount: float | None, currency: str) -> str:
        return "" if amount is None else format_currency(amount, currency, locale=locale)

    return {
        "term_label": term,
        "language_name": language,
        "fmt_date": day,
        "fmt_moment": moment,
        "fmt_money": money,
        "status_label": status_labels(lang),
        "stale_days": get_settings().capacity_stale_days,
    }
