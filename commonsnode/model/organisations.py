"""Organisations: the local actors of a node (governments, civil society, developers, support)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from commonsnode.errors import InvalidError

OrgKind = Literal["government", "civil-society", "developer", "support-company"]
ORG_KINDS: tuple[str, ...] = get_args(OrgKind)

# Lower-case so that WebFinger lookups are case-insensitive without ambiguity; the
# length cap matches Mastodon's username limit so a handle is followable from there.
HANDLE_PATTERN = re.compile(r"^[a-z0-9_](?:[a-z0-9_.-]{0,28}[a-z0-9_])?$")
MAX_NAME = 200
# Names the node's own actors answer to in WebFinger (`acct:catalog@host`, `/actor`):
# an organisation may not take them.
RESERVED_HANDLES = frozenset({"catalog", "actor", "inbox", "admin", "api"})
MAX_SUMMARY = 5000


@dataclass(frozen=True, slots=True)
class Organisation:
    """A local organisation actor."""

    id: str
    handle: str
    name: str
    kind: OrgKind
    summary: str
    manually_approves_followers: bool
    created_at: float


def check_handle(handle: str) -> str:
    """Validate a handle: 1-30 of a-z 0-9 _ . - , not starting or ending with . or -."""
    if handle in RESERVED_HANDLES:
        raise InvalidError(f"handle {handle!r} is reserved for the node itself", field="handle")
    if not HANDLE_PATTERN.fullmatch(handle):
        raise InvalidError(
            f"handle {handle!r}: use 1-30 lower-case letters, digits, '_', '.' or '-', "
            "not starting or ending with '.' or '-'",
            field="handle",
        )
    return handle


def check_kind(kind: str) -> OrgKind:
    """Validate an organisation kind against the four the marketplace knows."""
    if kind not in ORG_KINDS:
        raise InvalidError(f"kind {kind!r}: must be one of {', '.join(ORG_KINDS)}", field="kind")
    return kind  # type: ignore[return-value]


def check_name(name: str) -> str:
    """A display name is required and bounded, so pages and remote servers can show it."""
    cleaned = name.strip()
    if not cleaned:
        raise InvalidError("name: must not be empty", field="name")
    if len(cleaned) > MAX_NAME:
        raise InvalidError(f"name: at most {MAX_NAME} characters", field="name")
    return cleaned


def check_summary(summary: str) -> str:
    """A summary is optional plain text, bounded."""
    if len(summary) > MAX_SUMMARY:
        raise InvalidError(f"summary: at most {MAX_SUMMARY} characters", field="summary")
    return summary.strip()
