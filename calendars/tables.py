"""Tables of the calendars domain."""

from __future__ import annotations
