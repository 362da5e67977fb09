"""The delivery retry policy: documented schedule, jitter, Retry-After, giving up."""

from __future__ import annotations

import itertools
import math
import random
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from federation.delivery.retry import (
    BASE_DELAY,
    DAY,
    DEFAULT_POLICY,
    GIVE_UP_AFTER,
    HOUR,
    JITTER,
    MAX_ATTEMPTS,
    MAX_DELAY,
    MAX_RETRY_AFTER,
    MINUTE,
    BackoffPolicy,
    next_delay,
    parse_retry_after,
)

NOW = 1_800_000_000.0


class PinnedRandom(random.Random):
    """`uniform(a, b)` always lands at the same fraction of the way from a to b."""

    def __init__(self, fraction: float) -> None:
        super().__init__(0)
        self.fraction = fraction

    def random(self) -> float:
        return self.fraction


LOWEST, MIDDLE, HIGHEST = PinnedRandom(0.0), PinnedRandom(0.5), PinnedRandom(0.999999)


def run_until_give_up(rng: random.Random) -> list[tuple[int, float]]:
    """(attempt number, elapsed seconds at that attempt) for every attempt made."""
    attempts = [(1, 0.0)]
    while True:
        attempt, elapsed = attempts[-1]
        delay = next_delay(attempt, elapsed, None, rng)
        if delay is None:
            return attempts
        attempts.append((attempt + 1, elapsed + delay))


# (attempt, delay, total after the wait) from the module docstring's table.
DOCUMENTED = [
    (1, 1 * MINUTE, 1 * MINUTE),
    (2, 2 * MINUTE, 3 * MINUTE),
    (3, 4 * MINUTE, 7 * MINUTE),
    (4, 8 * MINUTE, 15 * MINUTE),
    (5, 16 * MINUTE, 31 * MINUTE),
    (6, 32 * MINUTE, 1 * HOUR + 3 * MINUTE),
    (7, 64 * MINUTE, 2 * HOUR + 7 * MINUTE),
    (8, 128 * MINUTE, 4 * HOUR + 15 * MINUTE),
    (9, 256 * MINUTE, 8 * HOUR + 31 * MINUTE),
    (10, 512 * MINUTE, 17 * HOUR + 3 * MINUTE),
    (11, 12 * HOUR, 1 * DAY + 5 * HOUR + 3 * MINUTE),
    (12, 12 * HOUR, 1 * DAY + 17 * HOUR + 3 * MINUTE),
    (13, 12 * HOUR, 2 * DAY + 5 * HOUR + 3 * MINUTE),
    (14, 12 * HOUR, 2 * DAY + 17 * HOUR + 3 * MINUTE),
    (15, 12 * HOUR, 3 * DAY + 5 * HOUR + 3 * MINUTE),
]


def test_unjittered_schedule_is_the_documented_table() -> None:
    total = 0.0
    for attempt, delay, documented_total in DOCUMENTED:
        assert DEFAULT_POLICY.backoff(attempt) == delay
        total += delay
        assert total == documented_total


def test_backoff_grows_strictly_until_the_cap_then_stays_there() -> None:
    delays = [DEFAULT_POLICY.backoff(n) for n in range(1, MAX_ATTEMPTS + 1)]
    capped_from = delays.index(MAX_DELAY)
    assert all(a < b for a, b in itertools.pairwise(delays[: capped_from + 1]))
    assert delays[capped_from:] == [MAX_DELAY] * (len(delays) - capped_from)
    assert delays[0] == BASE_DELAY


@pytest.mark.parametrize("rng", [LOWEST, MIDDLE, HIGHEST], ids=["low", "mid", "high"])
def test_attempts_span_at_least_three_days_whatever_the_jitter(rng: random.Random) -> None:
    attempts = run_until_give_up(rng)
    last_attempt, last_elapsed = attempts[-1]
    assert last_elapsed >= 3 * DAY
    assert last_elapsed >= GIVE_UP_AFTER
    assert last_elapsed < GIVE_UP_AFTER + MAX_DELAY * (1 + JITTER)
    # Time, not the attempt counter, ended it: the safety net was never reached.
    assert last_attempt < MAX_ATTEMPTS


def test_documented_attempt_counts_with_and_without_jitter() -> None:
    assert len(run_until_give_up(MIDDLE)) == 16
    counts = {len(run_until_give_up(rng)) for rng in (LOWEST, HIGHEST)}
    assert min(counts) >= 15
    assert max(counts) <= 18


def test_jitter_stays_within_twenty_percent_of_the_backoff() -> None:
    rng = random.Random(7)
    for attempt in range(1, 16):
        base = DEFAULT_POLICY.backoff(attempt)
        for _ in range(50):
            delay = next_delay(attempt, 0.0, None, rng)
            assert delay is not None
            assert base * (1 - JITTER) <= delay <= base * (1 + JITTER)


def test_jitter_spreads_retries_of_one_fan_out() -> None:
    rng = random.Random(1)
    delays = {next_delay(3, 0.0, None, rng) for _ in range(20)}
    assert len(delays) == 20


def test_same_seed_gives_same_delay() -> None:
    assert next_delay(4, 10.0, None, random.Random(3)) == next_delay(
        4, 10.0, None, random.Random(3)
    )


def test_gives_up_once_elapsed_reaches_the_limit() -> None:
    assert next_delay(5, GIVE_UP_AFTER - 1, None, MIDDLE) is not None
    assert next_delay(5, GIVE_UP_AFTER, None, MIDDLE) is None


def test_gives_up_at_the_attempt_safety_net_even_early() -> None:
    assert next_delay(MAX_ATTEMPTS - 1, 0.0, None, MIDDLE) is not None
    assert next_delay(MAX_ATTEMPTS, 0.0, None, MIDDLE) is None


def test_negative_elapsed_from_clock_skew_counts_as_zero() -> None:
    assert next_delay(1, -500.0, None, MIDDLE) == BASE_DELAY


def test_longer_retry_after_is_honoured() -> None:
    delay = next_delay(1, 0.0, 900.0, LOWEST)
    assert delay == 900.0
    high = next_delay(1, 0.0, 900.0, HIGHEST)
    assert high is not None
    assert 900.0 <= high <= 900.0 * (1 + JITTER)


def test_retry_after_is_capped_at_six_hours() -> None:
    assert MAX_RETRY_AFTER == 6 * HOUR
    assert next_delay(1, 0.0, 30 * DAY, LOWEST) == MAX_RETRY_AFTER
    high = next_delay(1, 0.0, 30 * DAY, HIGHEST)
    assert high is not None
    assert high <= MAX_RETRY_AFTER * (1 + JITTER)


def test_retry_after_shorter_than_the_backoff_does_not_shorten_it() -> None:
    assert next_delay(8, 0.0, 1.0, MIDDLE) == DEFAULT_POLICY.backoff(8)


def test_capped_retry_after_never_undercuts_a_longer_backoff() -> None:
    # Backoff is 12 h here; the peer's 8 h is capped to 6 h, so our 12 h stands.
    assert next_delay(12, 0.0, 8 * HOUR, MIDDLE) == MAX_DELAY


@pytest.mark.parametrize("value", [math.inf, math.nan, -30.0, 0.0])
def test_odd_retry_after_values_are_safe(value: float) -> None:
    delay = next_delay(2, 0.0, value, MIDDLE)
    assert delay is not None
    assert DEFAULT_POLICY.backoff(2) <= delay <= MAX_RETRY_AFTER * (1 + JITTER)


def test_retry_after_does_not_keep_a_delivery_alive_past_the_limit() -> None:
    assert next_delay(3, GIVE_UP_AFTER, 60.0, MIDDLE) is None


def test_huge_attempt_numbers_do_not_overflow() -> None:
    assert DEFAULT_POLICY.backoff(10_000) == MAX_DELAY
    assert BackoffPolicy(max_attempts=100_000).backoff(50_000) == MAX_DELAY


def test_attempt_counts_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        DEFAULT_POLICY.backoff(0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"base_delay": 0.0},
        {"base_delay": 100.0, "max_delay": 10.0},
        {"factor": 0.5},
        {"jitter": 1.0},
        {"jitter": -0.1},
        {"max_attempts": 0},
        {"max_retry_after": -1.0},
    ],
)
def test_policy_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="need"):
        BackoffPolicy(**kwargs)  # type: ignore[arg-type]


def test_custom_policy_is_used() -> None:
    policy = BackoffPolicy(base_delay=10.0, factor=3.0, max_delay=100.0, jitter=0.0)
    delays = [next_delay(n, 0.0, None, MIDDLE, policy) for n in (1, 2, 3, 4)]
    assert delays == [10.0, 30.0, 90.0, 100.0]


# --- parse_retry_after ---------------------------------------------------------------


def http_date(epoch: float) -> str:
    return format_datetime(datetime.fromtimestamp(epoch, UTC), usegmt=True)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), (" 120 ", 120.0), ("0", 0.0), ("007", 7.0), ("86400", 86400.0)],
)
def test_parses_delta_seconds(header: str, seconds: float) -> None:
    assert parse_retry_after(header, NOW) == seconds


def test_parses_imf_fixdate() -> None:
    assert parse_retry_after(http_date(NOW + 3600), NOW) == 3600.0


def test_parses_the_obsolete_date_forms() -> None:
    # RFC 9110 §5.6.7: recipients accept RFC 850 and asctime dates too.
    now = datetime(1994, 11, 6, 8, 0, 0, tzinfo=UTC).timestamp()
    assert parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now) == 49 * 60 + 37
    assert parse_retry_after("Sun Nov  6 08:49:37 1994", now) == 49 * 60 + 37


def test_date_with_numeric_offset_is_converted() -> None:
    now = datetime(2015, 10, 21, 5, 0, 0, tzinfo=UTC).timestamp()
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 +0200", now) == 28 * 60


def test_date_in_the_past_means_now() -> None:
    assert parse_retry_after(http_date(NOW - 600), NOW) == 0.0


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "   ",
        "-5",
        "1.5",
        "1e3",
        "+30",
        "soon",
        "١٢٣",  # Arabic-Indic digits are not DIGIT
        "Wed, 32 Oct 2015 07:28:00 GMT",
        "Wed, 21 Oct 99999 07:28:00 GMT",
        "Wed, 21 Oct 2015 07:28:00" + " GMT" * 40,
        "x" * 10_000,
        "\udcff\udcfe",  # undecodable bytes as aiohttp hands them over
    ],
)
def test_unreadable_values_are_ignored(header: str | None) -> None:
    assert parse_retry_after(header, NOW) is None


def test_enormous_delta_seconds_do_not_raise() -> None:
    # int() refuses over 4300 digits; the value becomes inf, which next_delay caps.
    seconds = parse_retry_after("9" * 120, NOW)
    assert seconds is not None
    assert seconds > MAX_RETRY_AFTER
    assert next_delay(1, 0.0, seconds, LOWEST) == MAX_RETRY_AFTER
