"""Per-host delivery state: circuit breaker, 7-day unavailability, probes and TTL."""

from __future__ import annotations

import dataclasses
import json

import pytest

from federation.delivery.hosts import (
    CIRCUIT_FAILURES,
    CIRCUIT_OPEN_FOR,
    CIRCUIT_WINDOW,
    DAY,
    MINUTE,
    PROBE_LEASE,
    STATE_TTL,
    UNAVAILABLE_AFTER,
    UNAVAILABLE_PROBE_EVERY,
    HostState,
    from_record,
    hold_delay,
    is_expired,
    may_send,
    new_state,
    on_failure,
    on_inbound,
    on_success,
    start_probe,
    to_record,
)

T0 = 1_800_000_000.0
HOST = "peer.example"


def fail_times(state: HostState, *times: float) -> HostState:
    for t in times:
        state = on_failure(state, t)
    return state


def tripped(at: float = T0) -> HostState:
    """A host whose circuit opened at `at` after five quick failures."""
    return fail_times(new_state(HOST, at - 4), *(at - 4 + i for i in range(CIRCUIT_FAILURES)))


def failing_for(duration: float, start: float = T0) -> HostState:
    """A host failing every probe the circuit allows, from `start` for `duration`."""
    state = tripped(start)
    now = start
    while now - start < duration:
        now = state.circuit_open_until if state.circuit_open_until else now
        if may_send(state, now) != "probe":
            break
        state = on_failure(start_probe(state, now), now + 1)
        now += 1
    return state


def test_the_issue_constants() -> None:
    assert (CIRCUIT_FAILURES, CIRCUIT_WINDOW, CIRCUIT_OPEN_FOR) == (5, 10 * MINUTE, 30 * MINUTE)
    assert UNAVAILABLE_AFTER == 7 * DAY
    assert STATE_TTL >= UNAVAILABLE_AFTER


def test_new_host_is_sent_to() -> None:
    state = new_state(HOST, T0)
    assert may_send(state, T0) == "send"
    assert state.expires_at == T0 + STATE_TTL


def test_state_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        new_state(HOST, T0).host = "other.example"  # type: ignore[misc]


# --- circuit breaker -------------------------------------------------------------------


def test_four_quick_failures_keep_sending() -> None:
    state = fail_times(new_state(HOST, T0), T0, T0 + 1, T0 + 2, T0 + 3)
    assert may_send(state, T0 + 4) == "send"
    assert state.circuit_open_until is None


def test_five_failures_within_ten_minutes_open_the_circuit() -> None:
    times = [T0 + i * 2 * MINUTE for i in range(5)]  # the fifth lands at 8 minutes
    state = fail_times(new_state(HOST, T0), *times)
    assert state.circuit_open_until == times[-1] + CIRCUIT_OPEN_FOR
    assert may_send(state, times[-1]) == "hold"
    assert state.failures == ()


def test_failures_spread_over_more_than_ten_minutes_do_not_trip() -> None:
    times = [T0 + i * 3 * MINUTE for i in range(20)]  # four per window at most
    state = fail_times(new_state(HOST, T0), *times)
    assert may_send(state, times[-1]) == "send"
    assert all(times[-1] - t < CIRCUIT_WINDOW for t in state.failures)
    assert len(state.failures) < CIRCUIT_FAILURES


def test_open_circuit_holds_for_thirty_minutes_then_probes() -> None:
    state = tripped()
    assert may_send(state, T0 + CIRCUIT_OPEN_FOR - 1) == "hold"
    assert hold_delay(state, T0 + 10 * MINUTE) == CIRCUIT_OPEN_FOR - 10 * MINUTE
    assert may_send(state, T0 + CIRCUIT_OPEN_FOR) == "probe"


def test_only_one_probe_goes_out() -> None:
    now = T0 + CIRCUIT_OPEN_FOR
    probing = start_probe(tripped(), now)
    assert may_send(probing, now) == "hold"
    assert may_send(probing, now + PROBE_LEASE - 1) == "hold"
    assert hold_delay(probing, now + 60) == PROBE_LEASE - 60


def test_a_lost_probe_is_replaced_after_its_lease() -> None:
    now = T0 + CIRCUIT_OPEN_FOR
    probing = start_probe(tripped(), now)
    assert may_send(probing, now + PROBE_LEASE) == "probe"


def test_successful_probe_closes_the_circuit() -> None:
    now = T0 + CIRCUIT_OPEN_FOR
    state = on_success(start_probe(tripped(), now), now + 2)
    assert may_send(state, now + 2) == "send"
    assert state.circuit_open_until is None
    assert state.probe_started_at is None
    assert state.failures == ()
    assert state.failing_since is None
    assert state.last_success == now + 2


def test_failed_probe_reopens_for_another_thirty_minutes() -> None:
    now = T0 + CIRCUIT_OPEN_FOR
    state = on_failure(start_probe(tripped(), now), now + 2)
    assert state.circuit_open_until == now + 2 + CIRCUIT_OPEN_FOR
    assert state.probe_started_at is None
    assert may_send(state, now + 2 + CIRCUIT_OPEN_FOR - 1) == "hold"
    assert may_send(state, now + 2 + CIRCUIT_OPEN_FOR) == "probe"


def test_late_failures_of_requests_sent_before_the_trip_do_not_extend_the_hold() -> None:
    state = tripped()
    straggler = on_failure(state, T0 + 5)
    assert straggler.circuit_open_until == state.circuit_open_until


def test_hold_delay_is_zero_when_nothing_holds() -> None:
    assert hold_delay(new_state(HOST, T0), T0) == 0.0
    assert hold_delay(tripped(), T0 + 2 * CIRCUIT_OPEN_FOR) == 0.0


# --- unavailability ----------------------------------------------------------------------


def test_failing_for_just_under_seven_days_is_not_unavailable() -> None:
    state = failing_for(UNAVAILABLE_AFTER - CIRCUIT_OPEN_FOR - 10)
    assert state.unavailable_since is None


def test_peer_down_for_eight_days_is_marked_unavailable() -> None:
    state = failing_for(8 * DAY)
    assert state.unavailable_since is not None
    assert state.unavailable_since - T0 >= UNAVAILABLE_AFTER
    assert may_send(state, state.unavailable_since + 1) == "unavailable"


def test_unavailable_host_gets_one_probe_a_day() -> None:
    state = failing_for(8 * DAY)
    last = state.last_failure
    assert last is not None
    assert may_send(state, last + UNAVAILABLE_PROBE_EVERY - 1) == "unavailable"
    assert may_send(state, last + UNAVAILABLE_PROBE_EVERY) == "probe"
    probing = start_probe(state, last + UNAVAILABLE_PROBE_EVERY)
    assert may_send(probing, last + UNAVAILABLE_PROBE_EVERY + 1) == "unavailable"
    failed = on_failure(probing, last + UNAVAILABLE_PROBE_EVERY + 2)
    assert may_send(failed, last + UNAVAILABLE_PROBE_EVERY + 3) == "unavailable"
    assert may_send(failed, last + 2 * UNAVAILABLE_PROBE_EVERY + 2) == "probe"


def test_unavailable_host_resumes_on_first_success() -> None:
    state = failing_for(8 * DAY)
    now = state.last_failure + UNAVAILABLE_PROBE_EVERY  # type: ignore[operator]
    state = on_success(start_probe(state, now), now + 1)
    assert state.unavailable_since is None
    assert may_send(state, now + 1) == "send"


def test_unavailable_host_resumes_on_inbound_contact() -> None:
    state = failing_for(8 * DAY)
    now = state.last_failure + 60  # type: ignore[operator]
    state = on_inbound(state, now)
    assert state.unavailable_since is None
    assert state.failing_since is None
    # The circuit still decides: wait out its hold, then one probe.
    assert may_send(state, now) == "hold"
    assert may_send(state, state.circuit_open_until) == "probe"  # type: ignore[arg-type]


def test_inbound_leaves_a_closed_circuit_alone() -> None:
    state = on_inbound(fail_times(new_state(HOST, T0), T0, T0 + 1), T0 + 2)
    assert may_send(state, T0 + 2) == "send"
    assert state.failures == (T0, T0 + 1)


def test_a_success_restarts_the_seven_day_clock() -> None:
    state = fail_times(new_state(HOST, T0), T0, T0 + 6 * DAY)
    state = on_success(state, T0 + 6 * DAY + 1)
    state = fail_times(state, T0 + 7 * DAY, T0 + 12 * DAY)
    assert state.unavailable_since is None
    assert state.failing_since == T0 + 7 * DAY


def test_an_inbound_request_restarts_the_seven_day_clock() -> None:
    state = fail_times(new_state(HOST, T0), T0, T0 + 6 * DAY)
    state = on_inbound(state, T0 + 6 * DAY + 1)
    state = on_failure(state, T0 + 8 * DAY)
    assert state.unavailable_since is None
    assert state.failing_since == T0 + 8 * DAY


def test_failures_seven_days_apart_with_no_success_make_a_host_unavailable() -> None:
    state = fail_times(new_state(HOST, T0), T0, T0 + UNAVAILABLE_AFTER)
    assert state.unavailable_since == T0 + UNAVAILABLE_AFTER


# --- expiry and bounded state ------------------------------------------------------------


def test_record_expires_after_its_ttl_without_activity() -> None:
    state = new_state(HOST, T0)
    assert not is_expired(state, T0 + STATE_TTL - 1)
    assert is_expired(state, T0 + STATE_TTL)


@pytest.mark.parametrize(
    "transition",
    [on_failure, on_success, on_inbound, start_probe],
    ids=["failure", "success", "inbound", "probe"],
)
def test_every_transition_extends_the_ttl(transition: object) -> None:
    later = T0 + 10 * DAY
    state = transition(new_state(HOST, T0), later)  # type: ignore[operator]
    assert state.last_seen == later
    assert state.expires_at == later + STATE_TTL
    assert not is_expired(state, T0 + STATE_TTL + 1)


def test_a_clock_step_backwards_does_not_shorten_the_ttl() -> None:
    state = on_failure(new_state(HOST, T0), T0 - 3600)
    assert state.expires_at == T0 + STATE_TTL


def test_a_host_failing_forever_keeps_a_constant_size_record() -> None:
    state = new_state(HOST, T0)
    for i in range(10_000):
        state = on_failure(state, T0 + i * 7.0)
    assert len(state.failures) < CIRCUIT_FAILURES
    assert len(json.dumps(to_record(state))) < 600


def test_thousands_of_failing_hosts_are_all_purged_after_the_ttl() -> None:
    states = [fail_times(new_state(f"h{i}.example", T0), T0, T0 + 1, T0 + 2) for i in range(5_000)]
    later = T0 + 2 + STATE_TTL
    assert [s for s in states if not is_expired(s, later)] == []


def test_expired_record_starts_afresh() -> None:
    old = failing_for(8 * DAY)
    later = old.expires_at + 1
    assert is_expired(old, later)
    assert may_send(new_state(HOST, later), later) == "send"


# --- records -----------------------------------------------------------------------------


def test_record_round_trips_through_json() -> None:
    state = on_success(tripped(), T0 + CIRCUIT_OPEN_FOR, scheme="rfc9421")
    state = fail_times(state, T0 + CIRCUIT_OPEN_FOR + 5, T0 + CIRCUIT_OPEN_FOR + 6)
    assert from_record(json.loads(json.dumps(to_record(state)))) == state


def test_success_remembers_the_accepted_signature_scheme() -> None:
    state = on_success(new_state(HOST, T0), T0, scheme="cavage")
    assert state.scheme == "cavage"
    assert on_success(state, T0 + 1).scheme == "cavage"
    assert on_failure(state, T0 + 2).scheme == "cavage"


def test_unknown_record_keys_are_ignored() -> None:
    record = to_record(new_state(HOST, T0)) | {"from_a_newer_version": 1}
    assert from_record(record) == new_state(HOST, T0)


@pytest.mark.parametrize(
    "change",
    [
        {"host": None},
        {"last_seen": None},
        {"last_seen": "yesterday"},
        {"expires_at": True},
        {"failures": ["soon"]},
        {"failures": None},
        {"circuit_open_until": [1]},
        {"scheme": "hs2019"},
    ],
)
def test_malformed_records_raise_value_error(change: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="malformed host record"):
        from_record(to_record(new_state(HOST, T0)) | change)


def test_record_missing_a_required_field_raises_value_error() -> None:
    record = to_record(new_state(HOST, T0))
    del record["expires_at"]
    with pytest.raises(ValueError, match="malformed host record"):
        from_record(record)
