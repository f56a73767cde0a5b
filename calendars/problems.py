"""Errors whose messages people read: an English msgid with named values, translated where shown.

raise RuleError(N_("The interval must be between 1 and {max}"), max=52)
error.translated(gettext)  # "Das Intervall muss zwischen 1 und 52 liegen"
"""

from __future__ import annotations

from collections.abc import Callable


def N_(message: str) -> str:  # noqa: N802 (the name gettext tools look for)
    """Marks a message for extraction; it is translated where it is shown."""
    return message


class ReadableError(ValueError):
    def __init__(self, message: str, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(message.format(**params) if params else message)

    def translated(self, gettext: Callable[[str], str]) -> str:
        text = gettext(self.message)
        return text.format(**self.params) if self.params else text
