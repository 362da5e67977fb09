"""Remote actors as this node knows them: where to deliver, which keys they sign with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

KeyKind = Literal["rsa", "ed25519"]


@dataclass(frozen=True, slots=True)
class RemoteKey:
    """A public key a remote actor's own document lists (never trusted from the key alone)."""

    key_id: str
    actor_iri: str
    type: KeyKind
    public_pem: str


@dataclass(frozen=True, slots=True)
class RemoteActor:
    """What we keep of a remote actor document; text fields are already sanitised."""

    iri: str
    host: str
    type: str
    inbox: str
    shared_inbox: str | None
    preferred_username: str | None
    name: str | None
    summary: str | None
    url: str | None
    outbox: str | None
    followers: str | None
    following: str | None
    kind: str | None
    manually_approves_followers: bool
    fetched_at: float
    gone_at: float | None = None

    @property
    def delivery_inbox(self) -> str:
        """Shared inbox when the actor has one: one POST serves every follower on its server."""
        return self.shared_inbox or self.inbox
