"""Where a webhook may go: public unicast addresses only, unless the operator allow-listed a network.

A URL is judged by the addresses its host stands for: the address itself, in any spelling the
socket layer accepts (`2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]` are all 127.0.0.1), or every
address its name resolves to. It is judged when the message is queued and again right before it
is sent, and the sender then connects to the very address it judged: a name whose DNS answer
changes in between (DNS rebinding) cannot lead a webhook to the cloud metadata service or to a
port on the platform's own network.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Any

import httpx

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network
Resolver = Callable[[str, int], Awaitable[Sequence[IPAddress]]]

RESOLVE_TIMEOUT_SECONDS = 5.0
NAT64 = IPv6Network("64:ff9b::/96")  # the well-known NAT64 prefix: the last 32 bits are an IPv4 address
# the legacy numeric spellings inet_aton accepts: decimal, octal, hex, one to four parts
_NUMERIC_HOST = re.compile(r"(0[xX][0-9a-fA-F]*|[0-9]+)(\.(0[xX][0-9a-fA-F]*|[0-9]+)){0,3}")


class ForbiddenTarget(Exception):
    """The URL leads to an address no webhook may reach."""


class UnresolvableTarget(Exception):
    """The URL's host name does not resolve (now): it may later."""


def refusal_reason(address: IPAddress) -> str | None:
    """Why an address is no place for a webhook ("a loopback address"), or None for a public one."""
    if isinstance(address, IPv6Address):
        embedded = embedded_ipv4(address)
        if embedded is not None:
            reason = refusal_reason(embedded)
            if reason is not None:
                return f"{reason} ({embedded} written as IPv6)"
    for reason, applies in (
        ("an unspecified address", address.is_unspecified),
        ("a loopback address", address.is_loopback),
        ("a link-local address", address.is_link_local),  # 169.254.169.254: cloud metadata
        ("a multicast address", address.is_multicast),
        ("a private address", address.is_private),
        ("a site-local address", isinstance(address, IPv6Address) and address.is_site_local),
        ("a reserved address", address.is_reserved),
        ("not a public address", not address.is_global),  # e.g. 100.64.0.0/10, shared by carriers
    ):
        if applies:
            return reason
    return None


def embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, Teredo, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64 or (int(address) >> 32 == 0 and int(address) > 1):  # NAT64, or ::a.b.c.d
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def literal_address(host: str) -> IPAddress | None:
    """The address a URL host spells out, or None when the host is a name to resolve."""
    try:
        return ip_address(host.strip("[]"))
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host):
        try:
            # what the socket layer makes of 2130706433, 0177.0.0.1, 0x7f000001 or 127.1
            return IPv4Address(socket.inet_aton(host))
        except OSError:
            return None  # e.g. 08.1.1.1: not a number the socket layer reads, so it is a name
    return None


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The addresses the operating system would connect to (getaddrinfo, off the event loop)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ip_address(str(info[4][0])) for info in infos]


@dataclass(frozen=True)
class WebhookTarget:
    """A webhook URL with the address it was judged by: the only address to connect to."""

    url: httpx.URL
    address: IPAddress

    @property
    def connect_url(self) -> httpx.URL:
        return self.url.copy_with(host=str(self.address))

    @property
    def headers(self) -> dict[str, str]:
        return {"Host": self.url.netloc.decode("ascii")}

    @property
    def extensions(self) -> dict[str, Any]:
        # TLS still names (and verifies the certificate of) the host in the URL
        named = self.url.scheme == "https" and literal_address(self.url.host) is None
        return {"sni_hostname": self.url.raw_host.decode("ascii")} if named else {}


class WebhookTargets:
    """Judges webhook URLs against the rules above and the operator's allow-list."""

    def __init__(
        self,
        allowed_networks: Sequence[IPNetwork] = (),
        resolver: Resolver = system_resolver,
        timeout_seconds: float = RESOLVE_TIMEOUT_SECONDS,
    ) -> None:
        self.allowed_networks = tuple(allowed_networks)
        self._resolver = resolver
        self._timeout = timeout_seconds

    def is_allowed(self, address: IPAddress) -> bool:
        return refusal_reason(address) is None or any(address in n for n in self.allowed_networks)

    async def check(self, recipient: str) -> WebhookTarget:
        """The target to connect to; ForbiddenTarget or UnresolvableTarget otherwise.

        A name is refused if any address it resolves to is forbidden, not only the first: the
        connection could otherwise land on another one.
        """
        try:
            url = httpx.URL(recipient)
        except httpx.InvalidURL:
            url = httpx.URL()
        if url.scheme not in {"http", "https"} or not url.host:
            raise ForbiddenTarget(f"{recipient!r} is not an http(s) URL")
        literal = literal_address(url.host)
        addresses = [literal] if literal is not None else await self._resolve(url)
        for address in addresses:
            if not self.is_allowed(address):
                named = "" if literal is not None else f"{url.host} resolves to "
                raise ForbiddenTarget(
                    f"{named}{address}, {refusal_reason(address)}: webhooks go to public addresses "
                    "only (or to networks allowed in NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS)"
                )
        return WebhookTarget(url, addresses[0])

    async def _resolve(self, url: httpx.URL) -> list[IPAddress]:
        host = url.raw_host.decode("ascii")
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            async with asyncio.timeout(self._timeout):
                addresses = list(dict.fromkeys(await self._resolver(host, port)))
        except (OSError, TimeoutError) as exc:
            raise UnresolvableTarget(f"{host} does not resolve: {exc or 'timed out'}") from None
        if not addresses:
            raise UnresolvableTarget(f"{host} does not resolve")
        return addresses
