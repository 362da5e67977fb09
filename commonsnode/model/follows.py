"""Follows between a local organisation and a remote actor, in either direction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from commonsnode.errors import ConflictError

FollowDirection = Literal["out", "in"]  # out: our org follows them; in: they follow our org
FollowState = Literal["pending", "accepted", "rejected"]

_ALLOWED: dict[FollowState, set[FollowState]] = {
    "pending": {"accepted", "rejected", "pending"},
    "accepted": {"accepted", "rejected"},
    "rejected": {"pending", "rejected", "accepted"},
}


@dataclass(frozen=True, slots=True)
class Follow:
    """One follow relation; `activity_iri` is the Follow activity that asked for it."""

    id: str
    direction: FollowDirection
    org_id: str
    remote_iri: str
    state: FollowState
    activity_iri: str
    created_at: float
    updated_at: float


def transition(follow: Follow, state: FollowState, now: float) -> Follow:
    """Move a follow to `state`; repeated answers are idempotent, illegal moves refused."""
    if state not in _ALLOWED[follow.state]:
        raise ConflictError(f"a {follow.state} follow cannot become {state}")
    return replace(follow, state=state, updated_at=now)
