"""Delivery retry policy: after a failed attempt, how long to wait, or give up (pure, no I/O).

The idea of Fedify's `createExponentialBackoffPolicy`, tuned so a delivery survives a
peer's weekend outage: exponential backoff from 1 minute, doubling, capped at 12 hours,
±20 % jitter, and giving up only once an attempt made at least 3 days after the first one
has failed. Without jitter (`attempt` = failed attempts so far; the delay is the wait
before the next one; "total" = time from the first attempt to the next one):

    attempt  delay    total        attempt  delay    total
       1     1 min     0h01           9     4h16     8h31
       2     2 min     0h03          10     8h32    17h03
       3     4 min     0h07          11    12h00    1d 5h03
       4     8 min     0h15          12    12h00    1d17h03
       5    16 min     0h31          13    12h00    2d 5h03
       6    32 min     1h03          14    12h00    2d17h03
       7    1h04       2h07          15    12h00    3d 5h03
       8    2h08       4h15          16    give up (elapsed ≥ 3 days)

So 16 attempts over about 3 days 5 hours; with jitter 15 to 18 attempts, the last one
between 3 days and 3 days 14.4 hours after the first. `MAX_ATTEMPTS` is only a safety net
that the default schedule never reaches; register the job kind with at least that many
attempts in the worker so the worker's own limit does not cut in first.

`Retry-After` (from a 429 or 503) can only lengthen a wait, never shorten it: the delay is
`max(backoff, min(retry_after, 6 h))`, plus 0–20 % jitter on top when the peer's value
wins. A short value therefore cannot make us hammer a struggling peer or burn attempts
before the 3 days are up, and a huge one cannot park a delivery for longer than 6 hours.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Final

MINUTE: Final = 60.0
HOUR: Final = 60 * MINUTE
DAY: Final = 24 * HOUR

BASE_DELAY: Final = 1 * MINUTE  # wait after the first failure
BACKOFF_FACTOR: Final = 2.0  # each further failure multiplies the wait
MAX_DELAY: Final = 12 * HOUR  # cap on one backoff wait
JITTER: Final = 0.2  # backoff waits vary by ±20 % so retries of one fan-out spread out
GIVE_UP_AFTER: Final = 3 * DAY  # a failure at or after this elapsed time is the last one
MAX_ATTEMPTS: Final = 20  # hard stop whatever the clock says (default schedule: ≤ 18)
MAX_RETRY_AFTER: Final = 6 * HOUR  # a peer's Retry-After is honoured up to this

_MAX_HEADER_CHARS: Final = 128  # an HTTP-date is 29 characters; longer values are not dates
_DELTA_SECONDS = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """The knobs of the schedule above; the defaults are the documented policy."""

    base_delay: float = BASE_DELAY
    factor: float = BACKOFF_FACTOR
    max_delay: float = MAX_DELAY
    jitter: float = JITTER
    give_up_after: float = GIVE_UP_AFTER
    max_attempts: int = MAX_ATTEMPTS
    max_retry_after: float = MAX_RETRY_AFTER

    def __post_init__(self) -> None:
        if not 0 < self.base_delay <= self.max_delay or self.factor < 1:
            raise ValueError("need 0 < base_delay <= max_delay and factor >= 1")
        if not 0 <= self.jitter < 1 or self.max_attempts < 1 or self.max_retry_after < 0:
            raise ValueError("need 0 <= jitter < 1, max_attempts >= 1, max_retry_after >= 0")

    def backoff(self, attempt: int) -> float:
        """The un-jittered wait after failed attempt number `attempt` (1-based)."""
        if attempt < 1:
            raise ValueError(f"attempt counts from 1, got {attempt}")
        # Compare exponents rather than computing factor**(attempt-1), which overflows.
        steps = attempt - 1
        if self.factor > 1 and steps > math.log(self.max_delay / self.base_delay, self.factor):
            return self.max_delay
        return min(self.base_delay * self.factor**steps, self.max_delay)


DEFAULT_POLICY: Final = BackoffPolicy()


def next_delay(
    attempt: int,
    elapsed: float,
    retry_after: float | None,
    rng: random.Random,
    policy: BackoffPolicy = DEFAULT_POLICY,
) -> float | None:
    """Seconds to wait before the next attempt, or None to give up (the delivery is dead).

    `attempt`: attempts made so far, the one that just failed included (1-based).
    `elapsed`: seconds from the first attempt (or the enqueue) to now.
    `retry_after`: the peer's Retry-After in seconds (`parse_retry_after`), if any.
    """
    if attempt >= policy.max_attempts or max(elapsed, 0.0) >= policy.give_up_after:
        return None
    backoff = policy.backoff(attempt) * (1 + rng.uniform(-policy.jitter, policy.jitter))
    # NaN and negative values fail this comparison and are ignored.
    if retry_after is not None and retry_after > backoff:
        asked = min(retry_after, policy.max_retry_after)
        return max(backoff, asked * (1 + rng.uniform(0.0, policy.jitter)))
    return backoff


def parse_retry_after(value: str | None, now: float) -> float | None:
    """`Retry-After` as seconds from `now` (RFC 9110 §10.2.3); None when absent or unreadable.

    Both forms are read: delta-seconds ("120") and HTTP-date (IMF-fixdate, and the obsolete
    RFC 850 and asctime forms; a date without a zone is taken as GMT). A date in the past
    gives 0. The result is not capped here: `next_delay` caps it.
    """
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > _MAX_HEADER_CHARS:
        return None
    if _DELTA_SECONDS.fullmatch(value):
        return float(value)  # float() has no digit limit, unlike int(); may be inf
    try:
        when = parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when.timestamp() - now, 0.0)
