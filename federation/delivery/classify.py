"""Delivery response classification: what one POST's answer means for the delivery job.

send.py maps the outcome onto the worker: `delivered` completes the job; `gone` ends it
and prunes the recipient; `resign` repeats the POST once with the other signature scheme
(Fedify's double-knock); `refused` ends it with the peer's body recorded; `retry` asks
retry.py for a delay, honouring the parsed `Retry-After`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from federation.delivery.retry import parse_retry_after

Outcome = Literal["delivered", "gone", "resign", "refused", "retry"]

# The transport reasons fetch.py's FetchError gives for a POST that got no answer.
TransportFailure = Literal[
    "timeout", "connection_failed", "blocked_address", "invalid_url", "scheme_refused"
]

GONE_STATUSES: Final = frozenset({404, 410})  # the inbox or its actor no longer exists
RETRY_CLIENT_STATUSES: Final = frozenset({408, 429})  # client errors that are about timing
_REFUSED_BY_US: Final = frozenset({"blocked_address", "invalid_url", "scheme_refused"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """An outcome and, for `retry`, the wait in seconds the peer asked for (if it did)."""

    outcome: Outcome
    retry_after: float | None = None


def classify(status: int, *, resigned: bool = False) -> Outcome:
    """The outcome of an HTTP status; `resigned`: this answer is to the re-signed POST.

    3xx (a signed POST never follows a redirect), 1xx and codes outside 100–599 count as
    the peer misbehaving for now: retried like 5xx, not given up on.
    """
    if 200 <= status <= 299:
        return "delivered"
    if status in GONE_STATUSES:
        return "gone"
    if status == 401:
        return "refused" if resigned else "resign"
    if status in RETRY_CLIENT_STATUSES:
        return "retry"
    if 400 <= status <= 499:
        return "refused"
    return "retry"


def classify_response(
    status: int, retry_after: str | None, now: float, *, resigned: bool = False
) -> Verdict:
    """Classify an answer; `retry_after` is the raw header, parsed only when we will retry."""
    outcome = classify(status, resigned=resigned)
    return Verdict(outcome, parse_retry_after(retry_after, now) if outcome == "retry" else None)


def classify_failure(kind: TransportFailure) -> Outcome:
    """Classify a POST that got no HTTP answer.

    Timeouts, failed connections and any other network error are retried. Our own refusals
    (a private address, a bad URL or scheme) cannot be fixed by waiting: `refused`.
    """
    return "refused" if kind in _REFUSED_BY_US else "retry"
