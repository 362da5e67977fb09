"""Which failed fetches an inbox handler retries: only the other node's momentary trouble."""

from __future__ import annotations

import pytest

from federation.fetch import FetchError, FetchReason
from federation.fetch_failures import is_transient
from federation.integrity import IntegrityError
from federation.resolve import ActorGoneError, ResolveError

URL = "https://other.example/orgs/dev"


def _wrapped(cause: FetchError) -> IntegrityError:
    """What verify_author raises: an IntegrityError from a ResolveError from the fetch."""
    try:
        try:
            raise ResolveError(URL, f"fetch_{cause.reason}") from cause
        except ResolveError as resolve:
            raise IntegrityError("key_unavailable", str(resolve)) from resolve
    except IntegrityError as exc:
        return exc


@pytest.mark.parametrize(
    ("reason", "status", "transient"),
    [
        ("timeout", None, True),
        ("connection_failed", None, True),
        ("http_status", 500, True),
        ("http_status", 503, True),
        ("http_status", 429, True),
        ("http_status", 408, True),
        ("http_status", 404, False),
        ("http_status", 410, False),
        ("http_status", 401, False),
        ("blocked_address", None, False),
        ("id_mismatch", None, False),
        ("invalid_json", None, False),
        ("budget_exhausted", None, False),
    ],
)
def test_a_fetch_failure_is_transient_only_when_the_node_may_answer_later(
    reason: FetchReason, status: int | None, transient: bool
) -> None:
    error = FetchError(URL, reason, status=status)
    assert is_transient(error) is transient
    assert is_transient(_wrapped(error)) is transient


def test_a_failure_without_a_fetch_behind_it_is_not_transient() -> None:
    assert not is_transient(ResolveError(URL, "blocked_domain"))
    assert not is_transient(ActorGoneError(URL, "gone"))
    assert not is_transient(IntegrityError("bad_proof", "does not verify"))
    assert not is_transient(RuntimeError("anything else"))
