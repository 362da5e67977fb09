"""Delivery response classification: every status class and transport failure."""

from __future__ import annotations

from typing import get_args

import pytest

from federation.delivery.classify import (
    Outcome,
    TransportFailure,
    Verdict,
    classify,
    classify_failure,
    classify_response,
)

NOW = 1_800_000_000.0


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_2xx_is_delivered(status: int) -> None:
    assert classify(status) == "delivered"


@pytest.mark.parametrize("status", [404, 410])
def test_404_and_410_are_gone(status: int) -> None:
    assert classify(status) == "gone"
    assert classify(status, resigned=True) == "gone"


def test_401_asks_for_one_re_sign() -> None:
    assert classify(401) == "resign"


def test_401_after_the_re_sign_is_refused() -> None:
    assert classify(401, resigned=True) == "refused"


@pytest.mark.parametrize("status", [400, 402, 403, 405, 406, 409, 411, 413, 415, 422, 451, 499])
def test_other_4xx_are_refused(status: int) -> None:
    assert classify(status) == "refused"


@pytest.mark.parametrize("status", [408, 429])
def test_408_and_429_are_retried(status: int) -> None:
    assert classify(status) == "retry"


@pytest.mark.parametrize("status", [500, 501, 502, 503, 504, 520, 599])
def test_5xx_are_retried(status: int) -> None:
    assert classify(status) == "retry"


@pytest.mark.parametrize("status", [100, 301, 302, 303, 307, 308, 0, 600, 999, -1])
def test_redirects_and_nonsense_statuses_are_retried(status: int) -> None:
    assert classify(status) == "retry"


def test_every_outcome_is_reachable() -> None:
    reached = {classify(s) for s in (200, 404, 401, 400, 503)}
    assert reached == set(get_args(Outcome))


def test_429_carries_the_parsed_retry_after() -> None:
    assert classify_response(429, "120", NOW) == Verdict("retry", 120.0)


def test_503_with_an_http_date_retry_after() -> None:
    ten_minutes_later = "Fri, 15 Jan 2027 08:10:00 GMT"  # NOW is 08:00:00 that day
    assert classify_response(503, ten_minutes_later, NOW) == Verdict("retry", 600.0)


def test_retry_without_a_usable_header() -> None:
    assert classify_response(503, None, NOW) == Verdict("retry", None)
    assert classify_response(503, "later", NOW) == Verdict("retry", None)


@pytest.mark.parametrize("status", [200, 400, 404, 401])
def test_retry_after_is_ignored_when_not_retrying(status: int) -> None:
    assert classify_response(status, "120", NOW).retry_after is None


def test_classify_response_passes_resigned_on() -> None:
    assert classify_response(401, None, NOW).outcome == "resign"
    assert classify_response(401, None, NOW, resigned=True).outcome == "refused"


@pytest.mark.parametrize("kind", ["timeout", "connection_failed"])
def test_network_errors_are_retried(kind: TransportFailure) -> None:
    assert classify_failure(kind) == "retry"


@pytest.mark.parametrize("kind", ["blocked_address", "invalid_url", "scheme_refused"])
def test_our_own_refusals_are_not_retried(kind: TransportFailure) -> None:
    assert classify_failure(kind) == "refused"


def test_every_transport_failure_is_classified() -> None:
    assert {classify_failure(k) for k in get_args(TransportFailure)} == {"retry", "refused"}


def test_an_unforeseen_network_error_is_retried() -> None:
    assert classify_failure("connection_reset") == "retry"  # type: ignore[arg-type]
