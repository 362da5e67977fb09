"""The domain event of a local rating: given, replaced or withdrawn, written as a job in the
use-case's transaction (the outbox) and federated once it has committed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from commonsnode.jobs import NewJob

RATING_EVENT_JOB = "event.rating"

RatingChange = Literal["given", "replaced", "withdrawn"]
_CHANGES = ("given", "replaced", "withdrawn")


@dataclass(frozen=True, slots=True)
class RatingEvent:
    """A local organisation rated a listing, re-rated it, or withdrew its rating.

    The rating's row is gone after a withdrawal, so the event carries what the Delete needs.
    """

    change: RatingChange
    rating_id: str
    listing_id: str
    org_id: str
    at: float

    def to_job(self) -> NewJob:
        """One rating's events run in order: its Delete never overtakes its Create."""
        return NewJob(
            RATING_EVENT_JOB,
            {
                "change": self.change,
                "rating": self.rating_id,
                "listing": self.listing_id,
                "org": self.org_id,
                "at": self.at,
            },
            ordering_key=f"rating:{self.rating_id}",
        )

    @classmethod
    def from_payload(cls, payload: dict[str, object]) -> RatingEvent:
        """KeyError/TypeError/ValueError on a malformed payload."""
        change = payload["change"]
        if change not in _CHANGES:
            raise ValueError(f"unknown rating change {change!r}")
        return cls(
            change=change,  # type: ignore[arg-type]
            rating_id=str(payload["rating"]),
            listing_id=str(payload["listing"]),
            org_id=str(payload["org"]),
            at=float(payload["at"]),  # type: ignore[arg-type]
        )
