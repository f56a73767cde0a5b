"""Absolute addresses of Lotse pages, feeds and API resources, for mails, feeds and exports.

Every link that leaves the browser (an e-mail, a calendar feed, HSDS, FHIR) is built here, from
LOTSE_BASE_URL or, when unset, the host and port `lotse serve` listens on.
"""

from __future__ import annotations

from settings import get_settings


def absolute_url(path: str = "") -> str:
    """The public address of `path` ("/referrals/..."); "" gives the base address itself."""
    return get_settings().base_url + path
