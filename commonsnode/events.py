"""Domain events: what a use-case did, written as jobs in its own transaction (the outbox).

The marketplace never talks to the network: a use-case records an event next to its change,
and the federation layer, which registers a handler for the event's job kind, turns it into
activities once the transaction has committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from commonsnode.jobs import NewJob

LISTING_EVENT_JOB = "event.listing"

ListingChange = Literal["published", "updated", "withdrawn"]


@dataclass(frozen=True, slots=True)
class ListingEvent:
    """A local listing was published, changed or withdrawn by its organisation."""

    change: ListingChange
    listing_id: str
    org_id: str
    at: float

    def to_job(self) -> NewJob:
        """One job per event; one listing's events run in order (Delete never before Create)."""
        return NewJob(
            LISTING_EVENT_JOB,
            {
                "change": self.change,
                "listing": self.listing_id,
                "org": self.org_id,
                "at": self.at,
            },
            ordering_key=f"listing:{self.listing_id}",
        )

    @classmethod
    def from_payload(cls, payload: dict[str, object]) -> ListingEvent:
        """The event a job carries; KeyError/TypeError on a malformed payload."""
        change = payload["change"]
        if change not in ("published", "updated", "withdrawn"):
            raise ValueError(f"unknown listing change {change!r}")
        return cls(
            change=change,  # type: ignore[arg-type]
            listing_id=str(payload["listing"]),
            org_id=str(payload["org"]),
            at=float(payload["at"]),  # type: ignore[arg-type]
        )
