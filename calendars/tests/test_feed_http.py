"""Feeds speak HTTP as calendar clients and caches expect (RFC 9110): weak ETags match, the
representation has a Last-Modified that If-Modified-Since honours, HEAD answers, one
Content-Type, and a public feed sets no cookie."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from calendars.tests.test_web_feeds import add_hours


def feed_of(offer: Any) -> str:
    return f"/calendars/services/{offer.service_id}.ics"


def test_a_weak_etag_in_if_none_match_gives_304(client: Any, offer: Any) -> None:
    add_hours(offer.service_id)
    etag = client.get(feed_of(offer)).headers["etag"]
    assert client.get(feed_of(offer), headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    listed = f'"other", W/{etag}'
    assert client.get(feed_of(offer), headers={"If-None-Match": listed}).status_code == 304


def test_last_modified_is_sent_and_if_modified_since_gives_304(client: Any, offer: Any) -> None:
    add_hours(offer.service_id)
    first = client.get(feed_of(offer))
    stamp = parsedate_to_datetime(first.headers["last-modified"])
    assert stamp <= datetime.now(UTC)
    same = client.get(feed_of(offer), headers={"If-Modified-Since": first.headers["last-modified"]})
    assert same.status_code == 304
    assert same.headers["etag"] == first.headers["etag"]
    earlier = format_datetime(stamp - timedelta(seconds=1), usegmt=True)
    assert client.get(feed_of(offer), headers={"If-Modified-Since": earlier}).status_code == 200


def test_a_change_moves_last_modified_on(client: Any, offer: Any) -> None:
    add_hours(offer.service_id)
    first = client.get(feed_of(offer)).headers["last-modified"]
    add_hours(offer.service_id, "FR", 14)
    # The rule changed within the same second: the stamp must not let a cache keep the old feed.
    changed = client.get(feed_of(offer), headers={"If-Modified-Since": first})
    assert changed.status_code == 200
    assert parsedate_to_datetime(changed.headers["last-modified"]) >= parsedate_to_datetime(first)


def test_if_none_match_wins_over_if_modified_since(client: Any, offer: Any) -> None:
    add_hours(offer.service_id)
    first = client.get(feed_of(offer))
    headers = {"If-None-Match": '"stale"', "If-Modified-Since": first.headers["last-modified"]}
    assert client.get(feed_of(offer), headers=headers).status_code == 200


def test_head_answers_with_the_headers_of_get(client: Any, offer: Any) -> None:
    add_hours(offer.service_id)
    got = client.get(feed_of(offer))
    head = client.head(feed_of(offer))
    assert head.status_code == 200
    assert head.content == b""
    for name in ("etag", "last-modified", "content-type", "cache-control"):
        assert head.headers[name] == got.headers[name]
    assert client.head(f"/calendars/organizations/{offer.organization_id}.ics").status_code == 200
    assert client.head("/calendars/services/not-a-feed.ics").status_code == 404


def test_the_content_type_is_sent_once(client: Any, offer: Any) -> None:
    add_hours(offer.service_id)
    response = client.get(feed_of(offer))
    assert response.headers.get_list("content-type") == ["text/calendar; charset=utf-8"]


def test_a_public_feed_sets_no_cookie(client: Any, offer: Any) -> None:
    add_hours(offer.service_id)
    client.cookies.clear()
    response = client.get(feed_of(offer))
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert "public" in response.headers["cache-control"]
