"""Input problems that pages show translated, next to their field, and the API returns in English.

Messages are gettext msgids marked with `N_`, so they are extracted into the catalogs and
translated when a page shows them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from litestar.exceptions import ValidationException


def N_(message: str) -> str:  # noqa: N802 - the conventional name of the gettext no-op marker
    return message


@dataclasses.dataclass(frozen=True)
class Problem:
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
