"""Per-host delivery state: circuit breaker, unavailability and expiry, as pure transitions.

send.py loads a host's record, asks `may_send`, and stores the record the matching
transition returns; the inbox calls `on_inbound` for a known host. Nothing here does I/O
or reads a clock: `now` is epoch seconds.

    send         deliver normally
    hold         the circuit is open (or its one probe is in flight): nothing is sent;
                 try again after `hold_delay`
    probe        store `start_probe` first (one prober wins), then send to test the
                 host: success closes the circuit, failure re-opens it for another
                 CIRCUIT_OPEN_FOR
    unavailable  failing for UNAVAILABLE_AFTER with no success and no inbound request:
                 drop deliveries (Mastodon does the same); one probe a day still goes out,
                 so a host that never writes to us can come back on its first success
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Final, Literal

MINUTE: Final = 60.0
DAY: Final = 24 * 60 * MINUTE

CIRCUIT_FAILURES: Final = 5  # this many failures ...
CIRCUIT_WINDOW: Final = 10 * MINUTE  # ... within this window open the circuit
CIRCUIT_OPEN_FOR: Final = 30 * MINUTE  # hold deliveries this long, then send one probe
PROBE_LEASE: Final = 5 * MINUTE  # a probe with no result after this is presumed lost
UNAVAILABLE_AFTER: Final = 7 * DAY  # failing this long, no success or inbound between
UNAVAILABLE_PROBE_EVERY: Final = 1 * DAY  # while unavailable, one probe this often
STATE_TTL: Final = 30 * DAY  # a record with no activity for this long is deleted

Decision = Literal["send", "hold", "probe", "unavailable"]
SignatureScheme = Literal["cavage", "rfc9421"]
_NOT_TIMES: Final = frozenset({"host", "scheme", "failures"})  # the fields that are not times


@dataclass(frozen=True, slots=True)
class HostState:
    """One remote host's delivery record; every field is epoch seconds unless noted.

    `failures`: times of recent failures while the circuit is closed, oldest first, at
    most CIRCUIT_FAILURES of them and none older than CIRCUIT_WINDOW at the last one.
    `failing_since`: first failure since the last success or inbound request.
    `expires_at`: `last_seen` + STATE_TTL, stored so storage can purge by index.
    `scheme`: the HTTP signature scheme the host last accepted (double-knock memory).
    """

    host: str
    last_seen: float
    expires_at: float
    failures: tuple[float, ...] = ()
    circuit_open_until: float | None = None
    probe_started_at: float | None = None
    failing_since: float | None = None
    last_failure: float | None = None
    unavailable_since: float | None = None
    last_success: float | None = None
    scheme: SignatureScheme | None = None


def new_state(host: str, now: float) -> HostState:
    """The record of a host with no history (or an expired one): deliveries go out."""
    return HostState(host=host, last_seen=now, expires_at=now + STATE_TTL)


def to_record(state: HostState) -> dict[str, Any]:
    """A JSON-ready dict for storage; `from_record` reads it back."""
    record = asdict(state)
    record["failures"] = list(state.failures)
    return record


def from_record(record: Mapping[str, Any]) -> HostState:
    """Rebuild a stored record; unknown keys are ignored, a malformed one raises ValueError."""
    try:
        values = {f.name: record[f.name] for f in fields(HostState) if f.name in record}
        values["failures"] = tuple(float(t) for t in values.get("failures", ()))
        state = HostState(**values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"malformed host record: {exc}") from exc
    times = [getattr(state, f.name) for f in fields(HostState) if f.name not in _NOT_TIMES]
    if (
        not isinstance(state.host, str)
        or state.scheme not in (None, "cavage", "rfc9421")
        or not all(t is None or _is_number(t) for t in times)
        or None in (state.last_seen, state.expires_at)
    ):
        raise ValueError("malformed host record: a field has the wrong type")
    return state


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _touched(state: HostState, now: float) -> HostState:
    seen = max(state.last_seen, now)
    return replace(state, last_seen=seen, expires_at=seen + STATE_TTL)


def _probe_in_flight(state: HostState, now: float) -> bool:
    return state.probe_started_at is not None and now < state.probe_started_at + PROBE_LEASE


def may_send(state: HostState, now: float) -> Decision:
    """Whether a delivery to this host goes out now; a query, it changes nothing."""
    if state.unavailable_since is not None:
        last_try = state.last_failure if state.last_failure is not None else state.unavailable_since
        if _probe_in_flight(state, now) or now < last_try + UNAVAILABLE_PROBE_EVERY:
            return "unavailable"
        return "probe"
    if state.circuit_open_until is not None:
        if now < state.circuit_open_until or _probe_in_flight(state, now):
            return "hold"
        return "probe"
    return "send"


def hold_delay(state: HostState, now: float) -> float:
    """Seconds a held delivery should wait: to the circuit's end, or the probe's lease."""
    until = now if state.circuit_open_until is None else state.circuit_open_until
    if state.probe_started_at is not None and _probe_in_flight(state, now):
        until = max(until, state.probe_started_at + PROBE_LEASE)
    return max(until - now, 0.0)


def start_probe(state: HostState, now: float) -> HostState:
    """Claim the one probe: until its result (or PROBE_LEASE), other deliveries wait."""
    return replace(_touched(state, now), probe_started_at=now)


def on_success(state: HostState, now: float, *, scheme: SignatureScheme | None = None) -> HostState:
    """Any 2xx: the host works, so the circuit closes and every failure is forgotten.

    `scheme`: the signature scheme that was accepted, remembered for the next delivery.
    """
    return replace(
        _touched(state, now),
        failures=(),
        circuit_open_until=None,
        probe_started_at=None,
        failing_since=None,
        unavailable_since=None,
        last_success=now,
        scheme=scheme if scheme is not None else state.scheme,
    )


def on_failure(state: HostState, now: float) -> HostState:
    """A delivery that will be retried failed (5xx, 429, timeout, …); not 4xx refusals."""
    failing_since = state.failing_since if state.failing_since is not None else now
    unavailable_since = state.unavailable_since
    if unavailable_since is None and now - failing_since >= UNAVAILABLE_AFTER:
        unavailable_since = now
    touched = replace(
        _touched(state, now),
        failing_since=failing_since,
        last_failure=now,
        unavailable_since=unavailable_since,
    )
    if state.circuit_open_until is not None:
        if now < state.circuit_open_until and not _probe_in_flight(state, now):
            return touched  # a request sent before the circuit opened: already counted
        return replace(touched, circuit_open_until=now + CIRCUIT_OPEN_FOR, probe_started_at=None)
    recent = (*(t for t in state.failures if now - t < CIRCUIT_WINDOW), now)
    if len(recent) >= CIRCUIT_FAILURES:
        return replace(touched, failures=(), circuit_open_until=now + CIRCUIT_OPEN_FOR)
    return replace(touched, failures=recent[-CIRCUIT_FAILURES:])


def on_inbound(state: HostState, now: float) -> HostState:
    """A request from the host reached us: it is alive, so it is no longer unavailable.

    The circuit stays as it is (its probe decides): the host's inbox may still fail.
    Storage need not create a record for a host it has none for.
    """
    return replace(_touched(state, now), failing_since=None, unavailable_since=None)


def is_expired(state: HostState, now: float) -> bool:
    """The record may be deleted: a host quiet for STATE_TTL starts afresh (bounded state)."""
    return now >= state.expires_at
