"""Events of deployments and support offers, written as jobs next to the change (the outbox).

The federation layer turns each into a signed Create, Update or Delete once committed. A
withdrawal carries what its Delete needs (the listing), since the record itself is gone by then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from commonsnode.jobs import NewJob
from commonsnode.model.records import RecordKind

RECORD_EVENT_JOB = "event.record"

RecordChange = Literal["declared", "updated", "withdrawn"]


@dataclass(frozen=True, slots=True)
class RecordEvent:
    """A local organisation declared, changed or withdrew a deployment or support offer."""

    kind: RecordKind
    change: RecordChange
    record_id: str
    listing_id: str
    org_id: str
    at: float

    def to_job(self) -> NewJob:
        """One record's events run in order, so its Delete never overtakes its Create."""
        return NewJob(
            RECORD_EVENT_JOB,
            {
                "kind": self.kind,
                "change": self.change,
                "record": self.record_id,
                "listing": self.listing_id,
                "org": self.org_id,
                "at": self.at,
            },
            ordering_key=f"record:{self.record_id}",
        )

    @classmethod
    def from_payload(cls, payload: dict[str, object]) -> RecordEvent:
        """The event a job carries; KeyError/TypeError/ValueError on a malformed payload."""
        kind, change = payload["kind"], payload["change"]
        if kind not in ("deployment", "support"):
            raise ValueError(f"unknown record kind {kind!r}")
        if change not in ("declared", "updated", "withdrawn"):
            raise ValueError(f"unknown record change {change!r}")
        return cls(
            kind=kind,  # type: ignore[arg-type]
            change=change,  # type: ignore[arg-type]
            record_id=str(payload["record"]),
            listing_id=str(payload["listing"]),
            org_id=str(payload["org"]),
            at=float(payload["at"]),  # type: ignore[arg-type]
        )
