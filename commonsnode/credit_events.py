"""The domain event of a credit given to one of this node's own listings by a completed
contract, written as a job in the crediting transaction (the outbox).

Only the listing's publisher holds the listing itself; every other node holds a copy and hears
of the credit from the publisher. The event carries the contract document and both parties'
proofs, since the publisher may not hold the contract (it was made between two other nodes):
a receiver checks those proofs itself before it credits its copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from commonsnode.jobs import NewJob
from commonsnode.model.contracts import Contract, evidence

CREDIT_EVENT_JOB = "event.credit"


@dataclass(frozen=True, slots=True)
class CreditEvent:
    """A completed contract credited our listing `listing_id` ("commissioned by, built by");
    `evidence` is the signed contract (`commonsnode.model.contracts.evidence`)."""

    listing_id: str
    contract: str
    evidence: Mapping[str, Any]
    at: float

    @classmethod
    def of(cls, listing_id: str, contract: Contract, at: float) -> CreditEvent:
        """The credit `contract` (signed by both parties) gives the listing, at `at`."""
        return cls(listing_id, contract.id, evidence(contract), at)

    def to_job(self) -> NewJob:
        """One job per (listing, contract): a replayed credit is not told twice."""
        return NewJob(
            CREDIT_EVENT_JOB,
            {
                "listing": self.listing_id,
                "contract": self.contract,
                "evidence": dict(self.evidence),
                "at": self.at,
            },
            ordering_key=f"listing:{self.listing_id}",
            dedupe_key=f"credit:{self.listing_id}:{self.contract}",
        )

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> CreditEvent:
        """The event a job carries; KeyError/TypeError/ValueError on a malformed payload."""
        shared = payload["evidence"]
        doc = shared["document"] if isinstance(shared, dict) else None
        signatures = shared["signatures"] if isinstance(shared, dict) else None
        if not isinstance(doc, dict) or not isinstance(signatures, list):
            raise TypeError("a credit event carries the contract document and its signatures")
        return cls(
            listing_id=str(payload["listing"]),
            contract=str(payload["contract"]),
            evidence={
                "document": doc,
                "signatures": [
                    {"party": str(s["party"]), "proof": dict(s["proof"])} for s in signatures
                ],
            },
            at=float(payload["at"]),
        )


CREDIT_REPLAY_JOB = "event.credit_replay"


def credit_replay_job(
    follower: str,
    inbox: str,
    org_id: str | None,
    *,
    ordering_key: str,
    behind: str | None = None,
    after: tuple[str, str] | None = None,
) -> NewJob:
    """Send a follower we just accepted the credits announced before it followed: those of
    organisation `org_id`'s listings (None: the catalog's: every listing of this node, and
    on a hub the copies whose credits it relays), in pages, `after` the (listing id, contract
    IRI) the previous page ended with.

    Queued with the ordering key of our Accept's fan-out, so the credits go out only after the
    Accept is queued for delivery; `behind` (the follower's Follow, the Accept's object) queues
    each credit's delivery behind the Accept's, so the follower has its Accept first. While
    one replay to a follower of one actor is queued, another is not (the dedupe key): a
    Follow sent again meanwhile does not start a second.
    """
    return NewJob(
        CREDIT_REPLAY_JOB,
        {
            "follower": follower,
            "inbox": inbox,
            "org": org_id,
            "behind": behind,
            "after": list(after) if after else None,
        },
        ordering_key=ordering_key,
        dedupe_key=f"credit-replay:{org_id or 'catalog'}:{follower}",
    )
