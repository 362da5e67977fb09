"""Report events: a local experience report was published, changed or deleted (the outbox).

Written as a job in the use-case's own transaction, like ListingEvent; federation/reports.py
turns it into Create, Update or Delete of the report's Article once it has committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from commonsnode.jobs import NewJob

REPORT_EVENT_JOB = "event.report"

ReportChange = Literal["published", "updated", "deleted"]
_CHANGES = ("published", "updated", "deleted")


@dataclass(frozen=True, slots=True)
class ReportEvent:
    change: ReportChange
    report_id: str
    org_id: str
    at: float

    def to_job(self) -> NewJob:
        """One job per event; one report's events run in order (Delete never before Create)."""
        return NewJob(
            REPORT_EVENT_JOB,
            {"change": self.change, "report": self.report_id, "org": self.org_id, "at": self.at},
            ordering_key=f"report:{self.report_id}",
        )

    @classmethod
    def from_payload(cls, payload: dict[str, object]) -> ReportEvent:
        """The event a job carries; KeyError/TypeError/ValueError on a malformed payload."""
        change = payload["change"]
        if change not in _CHANGES:
            raise ValueError(f"unknown report change {change!r}")
        return cls(
            change=change,  # type: ignore[arg-type]
            report_id=str(payload["report"]),
            org_id=str(payload["org"]),
            at=float(payload["at"]),  # type: ignore[arg-type]
        )
