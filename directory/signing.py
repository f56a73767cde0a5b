"""Signed one-click links for updating an offer's capacity without logging in.

A link names the offer and, usually, the staff member it was sent to; it is signed with the
secret key and expires after LINK_LIFETIME. Changes made through it are stamped with that person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from core.urls import absolute_url
from settings import get_settings

SALT = "lotse.capacity-link"
LINK_LIFETIME = timedelta(days=14)


class LinkInvalidError(Exception):
    """The link was altered or was not made by this installation."""


class LinkExpiredError(Exception):
    """The link is genuine but older than LINK_LIFETIME."""


@dataclass(frozen=True)
class CapacityClaim:
    service_id: UUID
    user_id: UUID | None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=SALT)


def capacity_token(service_id: UUID, user_id: UUID | None = None) -> str:
    payload = {"s": str(service_id), "u": str(user_id) if user_id else None}
    return str(_serializer().dumps(payload))


def read_capacity_token(token: str, max_age: timedelta = LINK_LIFETIME) -> CapacityClaim:
    try:
        payload = _serializer().loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as error:
        raise LinkExpiredError from error
    except BadSignature as error:
        raise LinkInvalidError from error
    try:
        user = payload.get("u")
        return CapacityClaim(service_id=UUID(payload["s"]), user_id=UUID(user) if user else None)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise LinkInvalidError from error


def capacity_url(service_id: UUID, user_id: UUID | None = None) -> str:
    return absolute_url(f"/capacity/{capacity_token(service_id, user_id)}")
