"""Address policy for every outbound fetch: which IPs a remote document may be fetched from."""

from __future__ import annotations

import errno
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Final

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.connector import AddrInfoType

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network


@dataclass(frozen=True, slots=True)
class SpecialRange:
    """One IANA block; `private_network` ones open up under `allow_private_network`."""

    network: IPNetwork
    name: str
    private_network: bool = False


def _r(cidr: str, name: str, *, private_network: bool = False) -> SpecialRange:
    return SpecialRange(ip_network(cidr), name, private_network)


# Ordered most specific first: the first block containing an address names it and decides.
# Globally reachable anycast blocks (AS112, AMT, PCP, TURN) are refused too: no AP server is there.
SPECIAL_PURPOSE_RANGES: Final[tuple[SpecialRange, ...]] = (
    # IANA IPv4 Special-Purpose Address Registry
    _r("0.0.0.0/8", "This network"),
    _r("10.0.0.0/8", "Private-Use", private_network=True),
    _r("100.64.0.0/10", "Shared Address Space"),
    _r("127.0.0.0/8", "Loopback", private_network=True),
    _r("169.254.0.0/16", "Link Local"),
    _r("172.16.0.0/12", "Private-Use", private_network=True),
    _r("192.0.0.0/24", "IETF Protocol Assignments"),
    _r("192.0.2.0/24", "Documentation (TEST-NET-1)"),
    _r("192.31.196.0/24", "AS112-v4"),
    _r("192.52.193.0/24", "AMT"),
    _r("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)"),
    _r("192.168.0.0/16", "Private-Use", private_network=True),
    _r("192.175.48.0/24", "Direct Delegation AS112 Service"),
    _r("198.18.0.0/15", "Benchmarking"),
    _r("198.51.100.0/24", "Documentation (TEST-NET-2)"),
    _r("203.0.113.0/24", "Documentation (TEST-NET-3)"),
    _r("255.255.255.255/32", "Limited Broadcast"),
    _r("240.0.0.0/4", "Reserved"),
    # IANA IPv4 Multicast Address Space Registry
    _r("224.0.0.0/4", "Multicast"),
    # IANA IPv6 Special-Purpose Address Registry
    _r("::1/128", "Loopback Address", private_network=True),
    _r("::/128", "Unspecified Address"),
    _r("::ffff:0:0/96", "IPv4-mapped Address"),
    _r("64:ff9b::/96", "IPv4-IPv6 Translat."),
    _r("64:ff9b:1::/48", "IPv4-IPv6 Translat. (Local-Use)"),
    _r("100::/64", "Discard-Only Address Block"),
    _r("100:0:0:1::/64", "Dummy IPv6 Prefix"),
    _r("2001::/32", "TEREDO"),
    _r("2001:1::1/128", "Port Control Protocol Anycast"),
    _r("2001:1::2/128", "Traversal Using Relays around NAT Anycast"),
    _r("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast"),
    _r("2001:2::/48", "Benchmarking"),
    _r("2001:3::/32", "AMT"),
    _r("2001:4:112::/48", "AS112-v6"),
    _r("2001:10::/28", "Deprecated (previously ORCHID)"),
    _r("2001:20::/28", "ORCHIDv2"),
    _r("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix"),
    _r("2001::/23", "IETF Protocol Assignments"),
    _r("2001:db8::/32", "Documentation"),
    _r("2002::/16", "6to4"),
    _r("2620:4f:8000::/48", "Direct Delegation AS112 Service"),
    _r("3fff::/20", "Documentation"),
    _r("5f00::/16", "Segment Routing (SRv6) SIDs"),
    _r("fc00::/7", "Unique-Local", private_network=True),
    _r("fe80::/10", "Link-Local Unicast"),
    # IANA IPv6 Address Space Registry (deprecated or non-unicast blocks)
    _r("::/96", "IPv4-compatible Address (deprecated)"),
    _r("fec0::/10", "Site-Local (deprecated)"),
    _r("ff00::/8", "Multicast"),
)

# IPv6 outside Global Unicast is unallocated or special: refuse it whatever its name.
IPV6_GLOBAL_UNICAST: Final = ip_network("2000::/3")


_NUMERIC_LABEL: Final = re.compile(r"0x[0-9a-f]*|[0-9]+", re.IGNORECASE)


def special_range_of(address: IPAddress) -> SpecialRange | None:
    """Name the special-purpose block an address falls in, or None for ordinary unicast."""
    for special in SPECIAL_PURPOSE_RANGES:
        if address in special.network:
            return special
    if isinstance(address, IPv6Address) and address not in IPV6_GLOBAL_UNICAST:
        return SpecialRange(IPV6_GLOBAL_UNICAST, "outside IPv6 Global Unicast")
    return None


def parse_cidrs(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Operator CIDR lists from config; host bits set is a typo, so it is an error naming it."""
    networks: list[IPNetwork] = []
    for entry in entries:
        try:
            networks.append(ip_network(entry.strip(), strict=True))
        except ValueError as exc:
            raise ValueError(f"invalid CIDR {entry!r}: {exc}") from exc
    return tuple(networks)


class AddressBlockedError(OSError):
    """A refused address; an OSError so aiohttp treats it as a failed resolve or connect."""

    def __init__(self, address: str, why: str) -> None:
        super().__init__(errno.EACCES, f"address {address} refused: {why}")
        self.address = address
        self.why = why


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Operator deny list, then operator allow list, then the special-purpose table."""

    allow_private_network: bool = False
    allow: tuple[IPNetwork, ...] = ()
    deny: tuple[IPNetwork, ...] = ()

    def refusal(self, address: str | IPAddress) -> str | None:
        """Why this address must not be connected to, or None when it may be."""
        try:
            ip = ip_address(address) if isinstance(address, str) else address
        except ValueError:
            return "not an IP address"
        for net in self.deny:
            if ip in net:
                return f"operator deny list ({net})"
        for net in self.allow:
            if ip in net:
                return None
        special = special_range_of(ip)
        if special is None or (special.private_network and self.allow_private_network):
            return None
        return f"{special.name} ({special.network})"

    def check_address(self, address: str) -> None:
        """Raise AddressBlockedError unless the address may be connected to."""
        why = self.refusal(address)
        if why is not None:
            raise AddressBlockedError(address, why)

    def check_host(self, host: str) -> None:
        """Check IP-literal hosts, which aiohttp connects to without asking the resolver."""
        bare = host.strip("[]")
        try:
            ip = ip_address(bare)
        except ValueError:
            if all(_NUMERIC_LABEL.fullmatch(label) for label in bare.rstrip(".").split(".")):
                # 2130706433, 0x7f.1, 0177.0.0.1: inet_aton reads them as IPv4; no TLD is numeric
                raise AddressBlockedError(host, "non-canonical numeric IPv4 form") from None
            return
        self.check_address(str(ip))

    def permits_scheme(self, scheme: str) -> bool:
        """Only https; plain http only for tests and local demos."""
        return scheme == "https" or (scheme == "http" and self.allow_private_network)


class GuardedResolver(AbstractResolver):
    """Checks every address aiohttp is about to connect to, so a DNS rebind has nowhere to hide."""

    def __init__(self, policy: AddressPolicy, inner: AbstractResolver) -> None:
        self._policy = policy
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Refuse the whole host if any answer is refused: a mixed answer is an attack."""
        results = await self._inner.resolve(host, port, family)
        for result in results:
            self._policy.check_address(result["host"])
        return results

    async def close(self) -> None:
        await self._inner.close()


def guarded_socket_factory(policy: AddressPolicy) -> Callable[[AddrInfoType], socket.socket]:
    """Last check, at socket creation, of the address actually dialled, however it was found."""

    def create_socket(addr_info: AddrInfoType) -> socket.socket:
        family, type_, proto, _, sockaddr = addr_info
        policy.check_address(str(sockaddr[0]))
        return socket.socket(family=family, type=type_, proto=proto)

    return create_socket
