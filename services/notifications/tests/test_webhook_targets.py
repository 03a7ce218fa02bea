"""Where a webhook may go (pure rules): public unicast addresses only, whatever the spelling of
the address, with the operator's allow-list as the only exception."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, ip_address, ip_network

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_notifications.delivery.webhook_targets import (
    WebhookTarget,
    WebhookTargets,
    literal_address,
    refusal_reason,
)

NOT_PUBLIC = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4", "::/128", "::1/128", "fe80::/10", "fc00::/7",
    "fec0::/10", "ff00::/8", "::ffff:0:0/96",
]  # fmt: skip
ipv4 = st.integers(0, 2**32 - 1).map(IPv4Address)


@pytest.mark.parametrize("network", NOT_PUBLIC)
@given(offset=st.integers(0, 2**128 - 1))
def test_every_address_of_a_non_public_network_is_refused(network: str, offset: int) -> None:
    net = ip_network(network)
    address = net[offset % net.num_addresses]
    assert refusal_reason(address) is not None


@given(address=ipv4)
def test_an_ipv4_address_is_read_alike_in_every_spelling(address: IPv4Address) -> None:
    n = int(address)
    a, rest = n >> 24, n & 0xFFFFFF
    for spelling in (str(address), str(n), hex(n), f"0{n:o}", f"{a}.{rest}", f"{a:#x}.0{rest:o}"):
        assert literal_address(spelling) == address, spelling


@given(address=ipv4)
def test_an_ipv4_address_written_as_ipv6_is_refused_when_it_is(address: IPv4Address) -> None:
    n = int(address)
    written_as_ipv6 = [
        IPv6Address(0xFFFF << 32 | n),  # ::ffff:a.b.c.d, mapped
        IPv6Address(0x2002 << 112 | n << 80),  # 6to4
        IPv6Address(int(IPv6Address("64:ff9b::")) | n),  # NAT64
    ]
    if refusal_reason(address) is not None:
        for v6 in written_as_ipv6:
            assert refusal_reason(v6) is not None, v6


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("169.254.169.254", "a link-local address"),
        ("127.0.0.1", "a loopback address"),
        ("::ffff:169.254.169.254", "a link-local address (169.254.169.254 written as IPv6)"),
        ("::7f00:1", "a loopback address (127.0.0.1 written as IPv6)"),
        ("2002:7f00:1::", "a loopback address (127.0.0.1 written as IPv6)"),
        ("ff02::1", "a multicast address"),
        ("100.64.0.1", "not a public address"),
        ("93.184.215.14", None),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_why_an_address_is_refused(address: str, reason: str | None) -> None:
    assert refusal_reason(ip_address(address)) == reason


def test_names_are_not_read_as_addresses() -> None:
    for name in ("localhost", "hooks.example", "deadbeef", "08.1.1.1", "1.2.3.4.example"):
        assert literal_address(name) is None, name


def test_the_allow_list_lets_through_only_its_networks() -> None:
    targets = WebhookTargets([IPv4Network("127.0.0.1/32")])
    assert targets.is_allowed(IPv4Address("127.0.0.1"))
    assert not targets.is_allowed(IPv4Address("127.0.0.2"))
    assert not targets.is_allowed(IPv4Address("169.254.169.254"))
    assert targets.is_allowed(IPv4Address("93.184.215.14"))


def test_a_named_target_is_reached_at_its_address_and_still_named_for_http_and_tls() -> None:
    named = WebhookTarget(
        httpx.URL("https://hooks.partner.example:8443/ar?x=1"), IPv4Address("93.184.215.14")
    )
    assert str(named.connect_url) == "https://93.184.215.14:8443/ar?x=1"
    assert named.headers == {"Host": "hooks.partner.example:8443"}
    assert named.extensions == {"sni_hostname": "hooks.partner.example"}  # the certificate checked
    v6 = WebhookTarget(httpx.URL("http://hooks.partner.example/ar"), IPv6Address("2606:4700::1111"))
    assert str(v6.connect_url) == "http://[2606:4700::1111]/ar"
    assert v6.extensions == {}
    literal = WebhookTarget(httpx.URL("https://93.184.215.14/ar"), IPv4Address("93.184.215.14"))
    assert literal.extensions == {}  # no name to present
