"""Errors whose messages people read, shared by every domain.

The message is an English gettext msgid marked with `N_`, with `{name}` placeholders; the JSON
API sends it formatted in English, pages translate it first:

    raise ConflictError(N_("The slot {slot} belongs to another offer."), slot=slot_id)
    error.translated(gettext)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from litestar.exceptions import ClientException, HTTPException, ValidationException

from core.i18n import N_

__all__ = ["N_", "ConflictError", "InputProblems", "NotFoundError", "Problem", "ReadableError"]


class ReadableError(Exception):
    """A refusal a person can act on; `status_code` is what the API answers."""

    status_code = 400

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params

    def translated(self, gettext: Callable[[str], str]) -> str:
        text = gettext(self.message)
        return text.format(**self.params) if self.params else text

    def http(self) -> HTTPException:
        return ClientException(detail=str(self), status_code=self.status_code)


class NotFoundError(ReadableError):
    status_code = 404


class ConflictError(ReadableError):
    status_code = 409


@dataclasses.dataclass(frozen=True)
class Problem:
    """One problem with one input field, shown next to that field (`%(name)s` placeholders)."""

    field: str
    message: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def text(self, gettext: Callable[[str], str] = N_) -> str:
        translated = gettext(self.message)
        return translated % self.params if self.params else translated


class InputProblems(ValidationException):
    """Raised with every problem found at once, so a form shows all of them together."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            detail=" ".join(p.text() for p in problems),
            extra=[{"field": p.field, "message": p.text()} for p in problems],
        )
        self.problems = problems
