"""Tables of the search domain."""

from __future__ import annotations
