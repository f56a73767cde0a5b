"""HMAC-SHA256 signatures of webhook bodies, for senders and for receivers checking them.

The signed text is "<unix timestamp>.<raw body>", so a captured request cannot be replayed
later with a new timestamp; receivers should reject timestamps older than a few minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "X-Lotse-Signature"
TIMESTAMP_HEADER = "X-Lotse-Timestamp"
EVENT_HEADER = "X-Lotse-Event"
DELIVERY_HEADER = "X-Lotse-Delivery"
DEFAULT_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: str,
    timestamp_header: str,
    signature_header: str,
    body: bytes,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """True when the signature matches and the timestamp is recent enough."""
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        return False
    current = now if now is not None else time.time()
    if abs(current - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, signature_header.strip())
