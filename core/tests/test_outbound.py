"""The outbound guard: which addresses count as public, the allow-list, and the request that
goes to the checked address under the original host name."""

from __future__ import annotations

import ipaddress
from typing import Any

import httpx
import pytest

from conftest import run
from core import outbound


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.1.1",
     "100.127.255.254", "0.0.0.0",  # noqa: S104 (an address to judge, not to bind)
     "224.0.0.1", "255.255.255.255", "::1", "::", "fd00::1", "fe80::1",
     "::ffff:127.0.0.1", "::ffff:100.64.1.1", "2002:7f00:1::", "64:ff9b::a00:1",
     "ff02::1"],
)
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not outbound.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2a00:1450:4001:80b::200e",
                                     "::ffff:93.184.215.14"])
def test_internet_addresses_are_public(address: str) -> None:
    assert outbound.is_public(ipaddress.ip_address(address))


def test_allow_listed_networks_and_names_may_be_reached_over_http(
    outbound_allow: Any, resolves: Any
) -> None:
    outbound_allow("10.20.0.0/16", "kalender.intranet")
    resolves({"kalender.intranet": "192.168.7.7", "exchange.intranet": "10.20.3.4"})
    by_name = run(outbound.check("http://kalender.intranet/x"))
    by_network = run(outbound.check("http://exchange.intranet/x"))
    assert by_name.allow_listed and by_network.allow_listed
    assert str(by_network.address) == "10.20.3.4"
    with pytest.raises(outbound.OutboundRefusedError, match="private network"):
        run(outbound.check("http://10.21.0.1/x"))


def test_the_request_goes_to_the_checked_address_under_the_original_name(resolves: Any) -> None:
    resolves({"hooks.example.org": ["2a00:1450:4001:80b::200e", "93.184.215.14"]})
    target = run(outbound.check("https://hooks.example.org:8443/in?x=1"))
    request = target.request(httpx.AsyncClient(), "POST", {"X-A": "1"}, content=b"{}")
    assert str(request.url) == "https://[2a00:1450:4001:80b::200e]:8443/in?x=1"
    assert request.headers["Host"] == "hooks.example.org:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.org"


def test_addresses_that_are_not_web_addresses_are_refused() -> None:
    for raw in ("ftp://example.org/x", "example.org/hook", "", "https://"):
        with pytest.raises(outbound.OutboundRefusedError, match="complete https"):
            run(outbound.check(raw))
