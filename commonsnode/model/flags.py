"""Flags: abuse reports about a rating or an experience report, for the operator to decide.

A flag is raised here by a local organisation (and, for another node's object, also sent there
as an ActivityPub `Flag`) or received from another node; either way it waits in the operator's
moderation queue until it is resolved or dismissed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from commonsnode.errors import ConflictError, InvalidError

FlagState = Literal["open", "resolved", "dismissed"]
FlagSource = Literal["local", "remote"]
FLAG_DECISIONS = ("resolved", "dismissed")
MAX_REASON = 2_000
MAX_TARGETS = 20  # Mastodon sends the account and the statuses reported; a few, not hundreds


@dataclass(frozen=True, slots=True)
class Flag:
    """One flag in the queue: who flagged which objects, why, and what the operator decided."""

    id: str
    source: FlagSource
    reporter_iri: str  # the local organisation or the remote actor that flagged
    object_iris: tuple[str, ...]  # the flagged object(s), the reported actor first when known
    reason: str
    state: FlagState
    created_at: float
    activity_iri: str | None = None  # the Flag activity received or sent
    decided_at: float | None = None
    note: str = ""


def check_reason(reason: object) -> str:
    if reason is None:
        return ""
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        raise InvalidError(f"reason: text of at most {MAX_REASON} characters", field="reason")
    return reason.strip()


def decide(flag: Flag, decision: str, note: str, now: float) -> Flag:
    """open → resolved (action taken) or dismissed (nothing wrong); decided once."""
    if decision not in FLAG_DECISIONS:
        raise InvalidError("decision: resolved or dismissed", field="decision")
    if flag.state != "open":
        raise ConflictError(f"this flag was already {flag.state}")
    return replace(flag, state=decision, decided_at=now, note=note)  # type: ignore[arg-type]
