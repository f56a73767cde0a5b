"""Fixtures of the referral exchange tests."""

from __future__ import annotations

from typing import Any

import pytest

from referrals.tests.exchange_support import Exchange, build_exchange


@pytest.fixture
def exchange(make_org: Any, make_user: Any, make_service: Any) -> Exchange:
    """Two organisations, a case manager and a provider, an offer with 3 places, a client
    and a consent covering identity, contact, languages, district and birth date."""
    return build_exchange(make_org, make_user, make_service)
