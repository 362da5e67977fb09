"""Unit tests for the address policy table, the guarded resolver and the guarded socket factory."""

from __future__ import annotations

import re
import socket
from ipaddress import ip_address

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from federation.netguard import (
    SPECIAL_PURPOSE_RANGES,
    AddressBlockedError,
    AddressPolicy,
    GuardedResolver,
    SpecialRange,
    guarded_socket_factory,
    parse_cidrs,
    special_range_of,
)

PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700:4700::1111", "2a00:1450:4001::200e"]
STRICT = AddressPolicy()
LOCAL_DEMO = AddressPolicy(allow_private_network=True)


@pytest.mark.parametrize(
    "special", SPECIAL_PURPOSE_RANGES, ids=[str(r.network) for r in SPECIAL_PURPOSE_RANGES]
)
def test_every_special_range_is_refused_at_both_edges(special: SpecialRange) -> None:
    for address in (special.network.network_address, special.network.broadcast_address):
        assert special_range_of(address) is not None
        assert STRICT.refusal(address) is not None


def test_table_lists_specific_blocks_before_their_supernets() -> None:
    nets = [r.network for r in SPECIAL_PURPOSE_RANGES]
    for i, earlier in enumerate(nets):
        for later in nets[i + 1 :]:
            if earlier.version == later.version and earlier != later:
                assert not later.subnet_of(earlier), f"{later} shadowed by {earlier}"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("address", "name"),
    [
        ("127.0.0.1", "Loopback"),
        ("169.254.169.254", "Link Local"),
        ("100.100.100.200", "Shared Address Space"),
        ("198.19.255.255", "Benchmarking"),
        ("255.255.255.255", "Limited Broadcast"),
        ("64:ff9b::a9fe:a9fe", "IPv4-IPv6 Translat."),
        ("2001::1", "TEREDO"),
        ("2002:7f00:1::", "6to4"),
        ("::ffff:127.0.0.1", "IPv4-mapped Address"),
        ("::127.0.0.1", "IPv4-compatible Address (deprecated)"),
        ("100::1", "Discard-Only Address Block"),
        ("2001:20::1", "ORCHIDv2"),
    ],
)
def test_refusal_names_the_iana_registry_entry(address: str, name: str) -> None:
    special = special_range_of(ip_address(address))
    assert special is not None
    assert special.name == name


@pytest.mark.parametrize("address", ["4000::1", "e000::1", "1000::1"])
def test_ipv6_outside_global_unicast_is_refused(address: str) -> None:
    assert STRICT.refusal(address) == "outside IPv6 Global Unicast (2000::/3)"


@pytest.mark.parametrize("address", PUBLIC)
def test_public_unicast_addresses_are_allowed(address: str) -> None:
    assert STRICT.refusal(address) is None


@pytest.mark.parametrize(
    "address", ["127.0.0.2", "10.1.2.3", "172.16.0.1", "192.168.1.1", "::1", "fd00::1"]
)
def test_allow_private_network_opens_loopback_and_private_use(address: str) -> None:
    assert STRICT.refusal(address) is not None
    assert LOCAL_DEMO.refusal(address) is None


@pytest.mark.parametrize(
    "address",
    ["169.254.169.254", "0.0.0.0", "224.0.0.1", "::ffff:127.0.0.1", "fe80::1", "100.64.0.1"],
)
def test_allow_private_network_still_refuses_metadata_unspecified_and_multicast(
    address: str,
) -> None:
    assert LOCAL_DEMO.refusal(address) is not None


def test_scoped_link_local_address_is_refused() -> None:
    assert STRICT.refusal("fe80::1%eth0") is not None


def test_operator_deny_list_refuses_public_address() -> None:
    policy = AddressPolicy(deny=parse_cidrs(["93.184.0.0/16"]))
    assert policy.refusal("93.184.215.14") == "operator deny list (93.184.0.0/16)"


def test_operator_allow_list_opens_a_special_range() -> None:
    policy = AddressPolicy(allow=parse_cidrs(["10.20.0.0/16"]))
    assert policy.refusal("10.20.1.1") is None
    assert policy.refusal("10.21.1.1") is not None


def test_operator_deny_wins_over_allow() -> None:
    policy = AddressPolicy(allow=parse_cidrs(["10.0.0.0/8"]), deny=parse_cidrs(["10.0.5.0/24"]))
    assert policy.refusal("10.0.4.1") is None
    assert policy.refusal("10.0.5.1") is not None


def test_parse_cidrs_names_the_bad_entry() -> None:
    with pytest.raises(ValueError, match=re.escape("10.0.0.1/8")):
        parse_cidrs(["10.0.0.0/8", "10.0.0.1/8"])


def test_non_address_is_refused() -> None:
    assert STRICT.refusal("example.org") == "not an IP address"


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "0177.0.0.1", "127.1", "10.0.0.1."])
def test_check_host_refuses_non_canonical_numeric_forms(host: str) -> None:
    with pytest.raises(AddressBlockedError, match="non-canonical"):
        STRICT.check_host(host)


def test_check_host_checks_ip_literals_and_leaves_names_to_the_resolver() -> None:
    with pytest.raises(AddressBlockedError):
        STRICT.check_host("[::1]")
    with pytest.raises(AddressBlockedError):
        STRICT.check_host("169.254.169.254")
    STRICT.check_host("example.org")
    STRICT.check_host("1password.com")
    STRICT.check_host("0x.example")


@pytest.mark.parametrize(
    ("policy", "scheme", "permitted"),
    [
        (STRICT, "https", True),
        (STRICT, "http", False),
        (LOCAL_DEMO, "http", True),
        (LOCAL_DEMO, "file", False),
        (LOCAL_DEMO, "gopher", False),
        (LOCAL_DEMO, "data", False),
    ],
)
def test_permits_scheme_allows_http_only_for_private_network(
    policy: AddressPolicy, scheme: str, permitted: bool
) -> None:
    assert policy.permits_scheme(scheme) is permitted


class _StaticResolver(AbstractResolver):
    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses
        self.closed = False

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host=a,
                port=port,
                family=socket.AF_INET6 if ":" in a else socket.AF_INET,
                proto=0,
                flags=0,
            )
            for a in self.addresses
        ]

    async def close(self) -> None:
        self.closed = True


async def test_guarded_resolver_passes_public_answers_through() -> None:
    resolver = GuardedResolver(STRICT, _StaticResolver("93.184.215.14"))
    results = await resolver.resolve("example.org", 443)
    assert [r["host"] for r in results] == ["93.184.215.14"]


async def test_guarded_resolver_refuses_host_when_any_answer_is_private() -> None:
    resolver = GuardedResolver(STRICT, _StaticResolver("93.184.215.14", "10.0.0.1"))
    with pytest.raises(AddressBlockedError, match=re.escape("10.0.0.1")):
        await resolver.resolve("example.org", 443)


async def test_guarded_resolver_closes_the_inner_resolver() -> None:
    inner = _StaticResolver()
    await GuardedResolver(STRICT, inner).close()
    assert inner.closed


def test_socket_factory_refuses_blocked_address_before_creating_a_socket() -> None:
    create = guarded_socket_factory(STRICT)
    with pytest.raises(AddressBlockedError):
        create((socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", 80)))


def test_socket_factory_creates_socket_for_public_address() -> None:
    create = guarded_socket_factory(STRICT)
    sock = create((socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("8.8.8.8", 443)))
    try:
        assert sock.family == socket.AF_INET
    finally:
        sock.close()
