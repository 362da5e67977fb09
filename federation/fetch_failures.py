"""Which failed fetches are worth trying again: the other node down or overloaded, not a refusal.

An inbox handler that needs a document from another node (a party's actor, an author's key)
and cannot get it must not turn the node's momentary outage into a refusal: the activity is
usually sent once, so a dead job loses it for good. A transient failure raises
`FetchUnavailable`, which the worker retries (the inbox job's retry policy); anything else (a
404 or 410, a blocked domain or address, an id mismatch, a bad document) stays a refusal.
"""

from __future__ import annotations

from federation.fetch import FetchError


class FetchUnavailable(Exception):
    """A document the activity needs cannot be fetched now: not a PermanentJobError, so the
    job that needed it is tried again later instead of dying."""


def _fetch_error(exc: BaseException) -> FetchError | None:
    """The FetchError behind `exc` (itself, or a cause: ResolveError, IntegrityError wrap it)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, FetchError):
            return current
        seen.add(id(current))
        current = current.__cause__
    return None


def is_transient(exc: BaseException) -> bool:
    """Whether asking again later may succeed: a transport error or timeout, a 5xx, 408 or
    429 behind `exc`. A failure with no fetch behind it (a blocked domain, a gone actor, a
    document that does not read) is not."""
    found = _fetch_error(exc)
    return found is not None and found.transient
