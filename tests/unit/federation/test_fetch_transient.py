"""Which fetch failures are about now (retry later) and which about the document (give up)."""

from __future__ import annotations

import pytest

from federation.fetch import FetchError, transient

URL = "https://other.example/orgs/a"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (FetchError(URL, "timeout"), True),
        (FetchError(URL, "connection_failed"), True),
        (FetchError(URL, "http_status", status=503), True),
        (FetchError(URL, "http_status", status=429), True),
        (FetchError(URL, "http_status", status=408), True),
        (FetchError(URL, "http_status", status=404), False),
        (FetchError(URL, "http_status", status=410), False),
        (FetchError(URL, "too_large"), False),
        (FetchError(URL, "id_mismatch"), False),
        (FetchError(URL, "budget_exhausted"), False),
    ],
)
def test_only_a_failure_about_now_is_transient(error: FetchError, expected: bool) -> None:
    assert transient(error) is expected
