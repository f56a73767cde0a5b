"""What an imported record may hold: nesting, text sizes, numbers, links and e-mail addresses.

An HSDS file comes from another system and is read as untrusted input: every limit here turns
a hostile or broken record into a record error (or a left-out field with a warning), never into
a stored value or a traceback. The bounds are those of the directory's own forms.
"""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import urlsplit

# HSDS records nest about eight levels deep (service > location > address, attributes > term).
MAX_DEPTH = 64
# Longest free text, as the directory's forms take it (directory.schemas.LongText).
MAX_TEXT = 20_000
AGE = (0, 120)
PLACES = (0, 100_000)
AMOUNT = (0, 99_999_999)
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_HOST = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?:[:/?#]|$)"
)
_EMAIL = re.compile(r"^[^@\s:/<>\"']+@[^@\s:/<>\"']+\.[^@\s:/<>\"']+$")
# A surrogate written as an escape in JSON text (\uD800): it decodes to a lone one.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_ID = re.compile(r'"id"\s*:\s*"([^"\\]{1,100})"')


def document_problem(doc: Any, raw: str | None = None) -> str | None:
    """Why a decoded record cannot be taken at all (too deep, not UTF-8), or None.

    ``raw`` is the JSON text the record was decoded from: when it holds no surrogate (neither
    as a character nor as an escape), no decoded text can, and only the depth is checked.
    Walks without recursion, so a hostile depth cannot exhaust the stack here either.
    """
    texts = raw is None or _may_hold_surrogate(raw)
    if not texts and raw is not None and raw.count("{") + raw.count("[") < MAX_DEPTH:
        return None  # fewer brackets than the depth limit: nothing to walk
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} levels deep"
        if isinstance(value, dict):
            for key, item in value.items():
                if texts and isinstance(key, str) and not _is_utf8(key):
                    return "contains bytes that are not UTF-8 text"
                if texts or isinstance(item, dict | list):
                    stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend(
                (item, depth + 1) for item in value if texts or isinstance(item, dict | list)
            )
        elif texts and isinstance(value, str) and not _is_utf8(value):
            return "contains bytes that are not UTF-8 text"
    return None


def _may_hold_surrogate(raw: str) -> bool:
    if not _is_utf8(raw):
        return True
    return "\\u" in raw and _ESCAPED_SURROGATE.search(raw) is not None


def _is_utf8(text: str) -> bool:
    # Undecodable bytes arrive as lone surrogates (surrogateescape), as do "\ud800" escapes;
    # neither can be stored (PostgreSQL refuses them).
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def id_hint(raw: str) -> str | None:
    """The id a record that cannot be decoded seems to carry, to name it in the report."""
    found = _ID.search(raw[:10_000])
    return found.group(1) if found else None


def skip_value(text: str, start: int) -> int | None:
    """The end of the JSON value at ``start`` without decoding it (None: not complete yet).

    Used for a value the decoder gives up on (nested too deeply), to read on after it.
    """
    depth = 0
    in_string = escaped = False
    for position in range(start, len(text)):
        char = text[position]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
                if depth == 0:
                    return position + 1
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            if depth == 0:
                return position
            depth -= 1
            if depth == 0:
                return position + 1
        elif depth == 0 and char in ",\n":
            return position
    return None


def number_problem(value: float, low: float, high: float) -> str | None:
    if math.isnan(value) or math.isinf(value):
        return "is not a finite number"
    if value < low or value > high:
        return f"must lie between {low:,} and {high:,}"
    return None


def safe_link(value: str | None) -> str | None:
    """``value`` when it is an http, https, mailto or tel address (or a bare host name such as
    "www.example.de"), else None: other schemes (javascript:, data:, file:) never become links."""
    if value is None:
        return None
    value = value.strip()
    if not value or any(ord(ch) < 33 or ord(ch) == 127 for ch in value):
        # Browsers drop tabs and line breaks inside a scheme ("java\tscript:").
        return None
    if _HOST.match(value):
        return value
    scheme = urlsplit(value).scheme.lower()
    if scheme not in LINK_SCHEMES:
        return None
    if scheme in {"http", "https"} and not urlsplit(value).netloc:
        return None
    return value


def safe_email(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value if _EMAIL.match(value) else None
