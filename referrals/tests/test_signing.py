"""Webhook signatures: receivers can check them, and tampering or replay is detected."""

from __future__ import annotations

import hashlib
import hmac

from referrals.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers, verify


def test_signature_is_hmac_sha256_over_timestamp_and_body():
    body = b'{"event":"referral.sent"}'
    headers = signed_headers("s3cret", body, now=1_700_000_000)
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == f"v1={expected}"
    assert headers[TIMESTAMP_HEADER] == "1700000000"


def test_receiver_accepts_a_fresh_untampered_request():
    body = b"{}"
    headers = signed_headers("s3cret", body, now=1000)
    assert verify("s3cret", headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], body, now=1010)


def test_tampered_body_or_wrong_secret_is_rejected():
    headers = signed_headers("s3cret", b'{"a":1}', now=1000)
    ts, sig = headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER]
    assert not verify("s3cret", ts, sig, b'{"a":2}', now=1000)
    assert not verify("other", ts, sig, b'{"a":1}', now=1000)


def test_old_timestamp_is_rejected_as_replay():
    headers = signed_headers("s3cret", b"{}", now=1000)
    assert not verify(
        "s3cret", headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], b"{}", now=2000
    )
