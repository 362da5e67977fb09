"""Operator moderation: domain blocks, the allowlist mode, and actor blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from commonsnode.errors import InvalidError

FederationMode = Literal["open", "allowlist"]
DomainRule = Literal["block", "allow"]

_DOMAIN = re.compile(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)


@dataclass(frozen=True, slots=True)
class DomainPolicy:
    """A snapshot of the operator's rules, cheap to consult before any network access."""

    mode: FederationMode
    blocked: frozenset[str]
    allowed: frozenset[str]

    def permits(self, host: str) -> bool:
        """False when `host` (or a parent domain) is blocked, or not allowed in allowlist mode."""
        host = host.lower().rstrip(".")
        candidates = {host}
        parts = host.split(".")
        candidates.update(".".join(parts[i:]) for i in range(1, len(parts)))
        if candidates & self.blocked:
            return False
        return self.mode == "open" or bool(candidates & self.allowed)


def check_domain(domain: str) -> str:
    """A bare lower-case host name (IP literals allowed), as operators type them."""
    cleaned = domain.strip().lower().rstrip(".")
    if cleaned.startswith(("http://", "https://")) or "/" in cleaned:
        raise InvalidError(f"domain {domain!r}: give a host name, not a URL", field="domain")
    if not (_DOMAIN.fullmatch(cleaned) or re.fullmatch(r"[0-9.]+|\[?[0-9a-f:]+\]?", cleaned)):
        raise InvalidError(f"domain {domain!r}: not a valid host name", field="domain")
    return cleaned
