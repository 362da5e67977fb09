"""OffsetClock: the demo replays past steps on the clock it shares with the whole node."""

from __future__ import annotations

from commonsnode.clock import FixedClock, OffsetClock


def test_the_offset_moves_the_time_and_the_base_keeps_running() -> None:
    base = FixedClock(1_000.0)
    clock = OffsetClock(base)
    assert clock.now() == 1_000.0
    clock.offset = -300.0
    assert clock.now() == 700.0
    base.advance(50.0)
    assert clock.now() == 750.0
    clock.offset = 0.0
    assert clock.now() == base.now()
