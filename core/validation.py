"""One-line text: names and titles end up in e-mail headers, list rows and calendar titles.

`OneLine` (required) and `OptionalOneLine` (may be empty) refuse line breaks and other control
characters, and `OneLine` refuses a value of only spaces; `strip_one_line` (called from an input
struct's `__post_init__`) takes surrounding spaces off. A refusal reads as a sentence a person
can act on, in the language of the request (`readable`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from core.i18n import N_

# C0 and C1 controls (line feed, carriage return, tab, NUL, ...) and the Unicode line separators.
CONTROL = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
# The look-ahead keeps matching linear: no nested repetition to backtrack through.
ONE_LINE_PATTERN = rf"^(?=.*\S)[^{CONTROL}]*$"
OPTIONAL_ONE_LINE_PATTERN = rf"^[^{CONTROL}]*$"

OneLine = Annotated[str, Meta(min_length=1, max_length=255, pattern=ONE_LINE_PATTERN)]
OptionalOneLine = Annotated[str, Meta(max_length=255, pattern=OPTIONAL_ONE_LINE_PATTERN)]

NOT_ONE_LINE = N_("%(field)s: please enter it on one line, without line breaks or control "
                  "characters, and not only spaces.")
NOT_ONE_LINE_OPTIONAL = N_("%(field)s: please enter it on one line, without line breaks or "
                           "control characters.")

_MESSAGES = {ONE_LINE_PATTERN: NOT_ONE_LINE, OPTIONAL_ONE_LINE_PATTERN: NOT_ONE_LINE_OPTIONAL}
_PATH = re.compile(r"at `\$\.?([^`]*)`")
_SPACE_OR_CONTROL = re.compile(rf"[\s{CONTROL}]+")


def one_line(text: str) -> str:
    """`text` with every run of spaces, line breaks and control characters made one space."""
    return _SPACE_OR_CONTROL.sub(" ", text).strip()


def is_one_line(text: str) -> bool:
    """No line break or other control character in `text`."""
    return re.search(OPTIONAL_ONE_LINE_PATTERN, text) is not None


def _pattern_of(kind: msgspec.inspect.Type) -> str | None:
    if isinstance(kind, msgspec.inspect.StrType):
        return kind.pattern if kind.pattern in _MESSAGES else None
    if isinstance(kind, msgspec.inspect.UnionType):
        return next((p for t in kind.types if (p := _pattern_of(t)) is not None), None)
    return None


@cache
def _one_line_fields(cls: type[msgspec.Struct]) -> tuple[str, ...]:
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    return tuple(f.name for f in info.fields if _pattern_of(f.type) is not None)


def strip_one_line(struct: msgspec.Struct) -> None:
    """Take the surrounding spaces off every one-line field of `struct` (in place)."""
    for name in _one_line_fields(type(struct)):
        value = getattr(struct, name)
        if isinstance(value, str):
            setattr(struct, name, value.strip())


def readable(message: str, gettext: Callable[[str], str], field: str = "") -> str | None:
    """The sentence for a msgspec error about a one-line field, or None for any other error."""
    for pattern, text in _MESSAGES.items():
        if pattern in message or repr(pattern)[1:-1] in message:
            found = _PATH.search(message)
            named = found.group(1) if found and found.group(1) else field or "input"
            return gettext(text) % {"field": named}
    return None


def readable_problems(detail: str, extra: Any, gettext: Callable[[str], str]) -> str | None:
    """`readable` over a validation error's detail and the problems in its extra (Litestar
    names the field of its own body decoding as `key`)."""
    problems = [(detail, "")]
    if isinstance(extra, list):
        problems += [(str(item.get("message", "")), str(item.get("key") or ""))
                     for item in extra if isinstance(item, dict)]
    for message, field in problems:
        text = readable(message, gettext, field)
        if text is not None:
            return text
    return None
