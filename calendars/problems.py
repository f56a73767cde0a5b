"""The kernel's translatable error and gettext marker under their old calendars name.

`core.errors` owns both; new code imports them from there. Kept only for `calendars.slots`.
"""

from __future__ import annotations

from core.errors import N_, ReadableError

__all__ = ["N_", "ReadableError"]
