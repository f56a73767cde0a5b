"""The one guard for requests Lotse makes to addresses that users enter (webhooks, calendars).

Such an address must not let a user reach the server's own network: loopback, private and
link-local networks, carrier-grade NAT, the cloud metadata service and their IPv6 forms are
refused. A city's internal systems can be allowed by name or network (LOTSE_OUTBOUND_ALLOW).

The name is resolved once, every address it resolves to is checked, and the request goes to
the checked address (with the original Host header and TLS server name): a DNS answer that
changes between the check and the connection (DNS rebinding) cannot redirect it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import httpx

from core.errors import N_, ReadableError
from settings import get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Not public, beyond what the `ipaddress` properties already say (some differ by Python version).
NOT_PUBLIC: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT (shared address space)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, the cloud metadata service
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local
        "2001::/32",  # Teredo tunnels
    )
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
DEFAULT_PORTS = {"http": 80, "https": 443}


class OutboundRefusedError(ReadableError):
    """The address may not be called; the message says why (without saying what answered)."""


def is_public(address: IPAddress) -> bool:
    """True for an address on the public internet; IPv4 inside IPv6 is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    if (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    ):
        return False
    return not any(address in network for network in NOT_PUBLIC)


@dataclass(frozen=True)
class AllowList:
    """Host names and networks of a city's internal systems that may be called (also http)."""

    hosts: frozenset[str]
    networks: tuple[IPNetwork, ...]

    def names(self, host: str) -> bool:
        return host in self.hosts

    def covers(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


@lru_cache(maxsize=8)
def parse_allow_list(entries: tuple[str, ...]) -> AllowList:
    hosts: set[str] = set()
    networks: list[IPNetwork] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry.lower().rstrip("."))
    return AllowList(frozenset(hosts), tuple(networks))


def allow_list() -> AllowList:
    return parse_allow_list(get_settings().outbound_allow)


@dataclass(frozen=True)
class Target:
    """A checked address: the URL as entered and the IP address the request must go to."""

    url: httpx.URL
    address: IPAddress
    allow_listed: bool

    @property
    def host(self) -> str:
        return self.url.raw_host.decode("ascii")

    def request(
        self, client: httpx.AsyncClient, method: str, headers: dict[str, str], **kwargs: Any
    ) -> httpx.Request:
        """The request to the checked address, with the Host header and TLS name of the URL."""
        return client.build_request(
            method,
            self.url.copy_with(host=str(self.address)),
            headers={**headers, "Host": self.url.netloc.decode("ascii")},
            extensions={"sni_hostname": self.host},
            **kwargs,
        )


def lookup(host: str, port: int) -> list[str]:
    """Every address the name resolves to (blocking: called in a thread)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def parse(raw: str) -> httpx.URL:
    """The URL if it is an absolute http(s) address; looks nothing up."""
    try:
        url = httpx.URL(raw.strip())
    except httpx.InvalidURL:
        url = httpx.URL("")
    if url.scheme not in ("http", "https") or not url.host:
        raise OutboundRefusedError(N_("The address must be a complete https:// URL."))
    return url


def _host(url: httpx.URL) -> str:
    return url.raw_host.decode("ascii").lower().rstrip(".")


async def check(raw: str, *, https_only: bool = True, allow_private: bool = False) -> Target:
    """Resolve the URL's host once and check every address; the target to send the request to.

    `https_only` refuses http:// unless the host is allow-listed; `allow_private` (the older
    LOTSE_CALENDAR_FETCH_PRIVATE) accepts every address.
    """
    url = parse(raw)
    host = _host(url)
    try:
        found = await asyncio.to_thread(lookup, host, url.port or DEFAULT_PORTS[url.scheme])
        addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
    except (OSError, UnicodeError, ValueError):
        raise OutboundRefusedError(N_("The server {host} could not be found."), host=host) from None
    if not addresses:
        raise OutboundRefusedError(N_("The server {host} could not be found."), host=host)
    allowed = allow_list()
    listed = allowed.names(host) or all(allowed.covers(a) for a in addresses)
    if not (listed or allow_private) and not all(is_public(a) for a in addresses):
        raise OutboundRefusedError(
            N_("The server {host} is in a private network and cannot be used."), host=host
        )
    if https_only and url.scheme != "https" and not listed:
        raise OutboundRefusedError(N_("The address must start with https://."))
    return Target(url=url, address=addresses[0], allow_listed=listed)


@cache
def _tls() -> ssl.SSLContext:
    # Loading the certificate authorities takes tens of milliseconds; one context serves all.
    return httpx.create_ssl_context()


def client(timeout: httpx.Timeout) -> httpx.AsyncClient:
    """A client for checked targets: no redirects followed, and no connection kept for another
    request (a connection to one address must not carry a request for another host name)."""
    return httpx.AsyncClient(
        timeout=timeout,
        verify=_tls(),
        follow_redirects=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    )
